package io.hpcspawner.spawn;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds server records for tests of other packages. */
public final class ServerRecords {

    private ServerRecords() {
    }

    public static ServerRecord queued(ServerKey key, String jobId) {
        LaunchPlan plan = new LaunchPlan("small", "testsys", key.user(), "debug", 1, Optional.empty(), 60,
                Optional.empty(), List.of(), Map.of("profile", "small", "cpus", "1"));
        Instant now = Instant.parse("2026-11-22T10:00:00Z");
        String id = Secrets.newServerId();
        ServerRecord r = ServerRecord.newStart(id, key, "start-" + id, Secrets.hash("s"), plan, "hpcsp-" + id,
                "/home/x/out.log", now);
        r.enter(ServerState.SUBMITTING, "Submitting", now);
        r.addEvent(new ProgressEvent(0, 10, "Submitting", ServerState.SUBMITTING, false, false, false, null, now));
        r.jobId(jobId);
        r.enter(ServerState.QUEUED, "Queued", now.plusSeconds(1));
        r.addEvent(new ProgressEvent(0, 30, "Queued", ServerState.QUEUED, false, false, false, null, now.plusSeconds(1)));
        return r;
    }
}
