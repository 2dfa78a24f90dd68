package io.hpcspawner.spawn.port;

import java.time.Instant;
import java.util.Optional;

/**
 * A job as the scheduler reports it.
 *
 * @param state the scheduler's own state name (e.g. PENDING, RUNNING, CANCELLED)
 * @param reason why a pending job waits (e.g. Resources, Priority), empty when none
 * @param node the node the batch script runs on (where the server will listen), empty while pending
 * @param exitCode the job's exit status once ended (the process's, not the raw wait status)
 * @param submittedAt when the job was submitted, where the scheduler API says so
 * @param expectedStart when the scheduler expects a pending job to start, where the API says so and the
 *        scheduler has an estimate; empty for a job that is not pending
 * @param queuePosition where a pending job stands among the pending jobs of its partition (1: the
 *        next to start), where the scheduler API lists them; empty otherwise
 */
public record JobInfo(String id, String name, String user, JobPhase phase, String state, Optional<String> reason,
        Optional<String> node, Optional<Integer> exitCode, Optional<Instant> submittedAt,
        Optional<Instant> expectedStart, Optional<Integer> queuePosition) {

    /** A job whose position in the queue the scheduler API does not tell. */
    public JobInfo(String id, String name, String user, JobPhase phase, String state, Optional<String> reason,
            Optional<String> node, Optional<Integer> exitCode, Optional<Instant> submittedAt,
            Optional<Instant> expectedStart) {
        this(id, name, user, phase, state, reason, node, exitCode, submittedAt, expectedStart, Optional.empty());
    }

    /** This job standing at {@code position} in its partition's queue. */
    public JobInfo inQueueAt(int position) {
        return new JobInfo(id, name, user, phase, state, reason, node, exitCode, submittedAt, expectedStart,
                Optional.of(position));
    }

    /** A job whose submit time and expected start the scheduler API does not report. */
    public JobInfo(String id, String name, String user, JobPhase phase, String state, Optional<String> reason,
            Optional<String> node, Optional<Integer> exitCode) {
        this(id, name, user, phase, state, reason, node, exitCode, Optional.empty(), Optional.empty());
    }

    /** A job whose expected start the scheduler API does not report. */
    public JobInfo(String id, String name, String user, JobPhase phase, String state, Optional<String> reason,
            Optional<String> node, Optional<Integer> exitCode, Optional<Instant> submittedAt) {
        this(id, name, user, phase, state, reason, node, exitCode, submittedAt, Optional.empty());
    }
}
