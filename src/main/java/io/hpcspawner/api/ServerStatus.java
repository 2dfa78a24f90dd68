package io.hpcspawner.api;

import io.hpcspawner.spawn.ServerRecord;
import io.hpcspawner.spawn.Transition;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A server as the API shows it: state, job, where it listens, and what happened when. */
public record ServerStatus(String id, String user, String server, String startId, String state, String system,
        String profile, Map<String, String> options, String jobId, String host, Integer port, String url,
        String message, String pendingReason, Integer exitCode, Instant unknownSince, List<TransitionView> transitions,
        Instant createdAt, Instant updatedAt, Instant startDeadline) {

    /** The moment a state was entered. */
    public record TransitionView(String state, Instant at) {
        static TransitionView of(Transition t) {
            return new TransitionView(t.state().wireName(), t.at());
        }
    }

    static ServerStatus of(ServerRecord r) {
        return new ServerStatus(r.id(), r.user(), r.server(), r.startId(), r.state().wireName(), r.system(),
                r.profile(), r.options(), r.jobId(), r.host(), r.port(), r.url(), r.message(), r.pendingReason(),
                r.exitCode(), r.unknownSince(), r.transitions().stream().map(TransitionView::of).toList(),
                r.createdAt(), r.updatedAt(), r.state().isStarting() ? r.startDeadline() : null);
    }
}
