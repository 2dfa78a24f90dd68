package io.hpcspawner.spawn.model;

import io.hpcspawner.credentials.Secrets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds server records for tests of other packages. */
public final class ServerRecords {

    /** Job names of the test deployment ({@code %test.hpcspawner.deployment-id=test01}). */
    public static final String JOB_PREFIX = "hpcsp-test01-";

    private ServerRecords() {
    }

    /** A start cut off in the middle of its submit (created long before this process began). */
    public static ServerRecord submitting(ServerKey key) {
        ServerRecord r = queued(key, null);
        ServerRecord fresh = ServerRecord.newStart(r.id(), key, r.startId(), r.secretHash(), plan(key), r.jobName(),
                r.outputPath(), r.createdAt());
        fresh.enter(ServerState.SUBMITTING, "Submitting", r.createdAt());
        return fresh;
    }

    /** A start cut off in the middle of its submit, created at {@code at}. */
    public static ServerRecord submittingSince(ServerKey key, Instant at) {
        ServerRecord r = queued(key, null);
        ServerRecord fresh = ServerRecord.newStart(r.id(), key, r.startId(), r.secretHash(), plan(key), r.jobName(),
                r.outputPath(), at);
        fresh.enter(ServerState.SUBMITTING, "Submitting", at);
        return fresh;
    }

    /** A stop asked for while the submit (cut off since) was in flight: no job id. */
    public static ServerRecord stoppingWithoutJob(ServerKey key, Instant at) {
        ServerRecord r = submittingSince(key, at);
        r.enter(ServerState.STOPPING, "Stopping", at.plusSeconds(1));
        return r;
    }

    public static ServerRecord stopping(ServerKey key, String jobId) {
        ServerRecord r = queued(key, jobId);
        r.enter(ServerState.STOPPING, "Stopping", r.createdAt().plusSeconds(5));
        return r;
    }

    /** A start that ended ({@code stopped} or {@code failed}) at {@code at}. */
    public static ServerRecord ended(ServerKey key, ServerState state, Instant at) {
        ServerRecord r = queued(key, "9" + Math.abs(key.hashCode() % 1000));
        r.enter(state, state.defaultMessage(), at);
        return r;
    }

    /** A start still queued, last changed at {@code at}. */
    public static ServerRecord queuedSince(ServerKey key, Instant at) {
        ServerRecord r = queued(key, "8" + Math.abs(key.hashCode() % 1000));
        r.enter(ServerState.QUEUED, "Queued", at);
        return r;
    }

    /**
     * A start of user {@code u}'s server {@code s} on {@code testsys} (profile small, 1 CPU, 60 min) created at
     * {@code at}, with job {@code jobId}, in {@code state} with that state's default message; {@code null}: not begun.
     */
    public static ServerRecord inState(ServerState state, String jobId, Instant at) {
        ServerKey key = new ServerKey("u", "s");
        ServerRecord r = ServerRecord.newStart("id1", key, "start-1", Secrets.hash("s"), plan(key), JOB_PREFIX + "id1",
                "/home/u/out.log", at);
        if (state != null) {
            r.jobId(jobId);
            r.enter(state, state.defaultMessage(), at);
        }
        return r;
    }

    private static LaunchPlan plan(ServerKey key) {
        return plan(key, "testsys");
    }

    private static LaunchPlan plan(ServerKey key, String system) {
        return new LaunchPlan("small", system, key.user(), "/home/" + key.user(), "debug", 1, Optional.empty(), 60,
                Optional.empty(), List.of(), Map.of("profile", "small", "cpus", "1"));
    }

    public static ServerRecord queued(ServerKey key, String jobId) {
        return queuedOn(key, jobId, "testsys");
    }

    /** A queued start on {@code system} (one the application's watcher does not poll, for tests that run rounds themselves). */
    public static ServerRecord queuedOn(ServerKey key, String jobId, String system) {
        LaunchPlan plan = plan(key, system);
        Instant now = Instant.now().minus(java.time.Duration.ofHours(1)); // before this process began, within the start timeout
        String id = Secrets.newServerId();
        ServerRecord r = ServerRecord.newStart(id, key, "start-" + id, Secrets.hash("s"), plan, JOB_PREFIX + id,
                "/home/x/out.log", now);
        r.enter(ServerState.SUBMITTING, "Submitting", now);
        r.addEvent(new ProgressEvent(0, 10, "Submitting", ServerState.SUBMITTING, false, false, false, null, now));
        r.jobId(jobId);
        r.enter(ServerState.QUEUED, "Queued", now.plusSeconds(1));
        r.addEvent(new ProgressEvent(0, 30, "Queued", ServerState.QUEUED, false, false, false, null, now.plusSeconds(1)));
        return r;
    }

    /** Moves {@code r} into {@code state} at {@code at} with {@code message} (for records a test builds). */
    public static ServerRecord enter(ServerRecord r, ServerState state, String message, Instant at) {
        r.enter(state, message, at);
        return r;
    }

    /** Gives {@code r} the job id {@code jobId} (for records a test builds). */
    public static ServerRecord withJob(ServerRecord r, String jobId) {
        r.jobId(jobId);
        return r;
    }
}
