package io.hpcspawner.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.Transition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A server as the API shows it: state, job, where it listens, and what happened when. */
public record ServerStatus(String id, String user, String server, String startId, String state, String system,
        @Schema(nullable = true) String profile, Map<String, String> options, @Schema(nullable = true) String jobId,
        @Schema(nullable = true) String host, @Schema(nullable = true) Integer port,
        @Schema(nullable = true) String url, @Schema(nullable = true) String message,
        @Schema(nullable = true) String pendingReason, @Schema(nullable = true) Integer exitCode,
        @Schema(nullable = true) Instant unknownSince, List<TransitionView> transitions,
        Instant createdAt, Instant updatedAt, @Schema(nullable = true) Instant startDeadline,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(required = false, type = SchemaType.STRING,
                format = "date-time", implementation = String.class, description = "When the scheduler"
                + " expects the queued job to start (ISO-8601, UTC); absent when it has no estimate or the server is"
                + " not queued") Instant estimatedStart,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(required = false, description = "Where the queued job"
                + " stands in its partition's queue, 1 being the next to start (higher priority first, then the"
                + " earlier submit); absent when the scheduler API does not list the queue or the server is not"
                + " queued") Integer queuePosition) {

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
                r.createdAt(), r.updatedAt(), r.state().isStarting() ? r.startDeadline() : null,
                r.state() == ServerState.QUEUED ? r.expectedStart() : null,
                r.state() == ServerState.QUEUED ? r.queuePosition() : null);
    }
}
