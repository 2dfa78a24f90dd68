package io.hpcspawner.spawn.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Something learnt about one start of a server: from the user (begin, stop), the launcher (the
 * submit's outcome), the watcher (the scheduler's view of the job), the job itself (ready) or the
 * cancel of a stopping server. {@link Lifecycle} says what it changes; docs/lifecycle.md and the
 * table in LifecycleTableTest list the rules.
 */
public sealed interface Observation {

    /**
     * True when the scheduler keeps the same fact, so that the watcher's next rounds rebuild the
     * change if a crash of the machine loses it: its save need not wait until it is durable.
     * False for everything a record must hold before the side effect it starts, and for what only
     * the service knows (a stop asked for, a ready signal, a job id).
     */
    default boolean schedulerKeepsIt() {
        return false;
    }

    /** An observation that fails a start (a stopping server ends stopped instead). */
    sealed interface Failure extends Observation {
    }

    /** A new start, persisted before its job is submitted. */
    record Begin(int cpus, int timeLimitMinutes) implements Observation {
    }

    /** The submit returned {@code jobId}, or a cut-off submit's job was found by its name. */
    record Submitted(String jobId) implements Observation {
    }

    /** The cluster cannot be reached; {@code text} (from {@link Messages#submitWaiting}) says until when it is tried. */
    record SubmitWaiting(String text) implements Observation {
    }

    /** The cluster could not be reached within the retry time; {@code text} from {@link Messages#submitUnreachable}. */
    record SubmitUnreachable(String text) implements Failure {
        /** The code of a start that failed because its cluster could not be reached (also the API's 503 code). */
        public static final String CODE = "scheduler_unavailable";
    }

    /** The start was stopped while its submit waited for the cluster: nothing was submitted. */
    record SubmitWithdrawn() implements Observation {
    }

    /** Why a submit failed without a job. */
    enum SubmitFailure {
        /** The user's login is needed (and missing or over); nothing was sent. */
        LOGIN_REQUIRED,
        /** A transient failure after which no job with the start's name is listed. */
        UNCONFIRMED,
        /** The scheduler refused the job. */
        REFUSED
    }

    /** The submit failed and no job exists; {@code error} is the scheduler's message. */
    record SubmitFailed(SubmitFailure why, String error) implements Failure {
    }

    /** The launcher itself failed ({@code exception} is the simple name of what it threw). */
    record SubmitCrashed(String exception) implements Failure {
    }

    /**
     * The job waits in the queue, for the scheduler's {@code reason} if it gives one, and the
     * scheduler expects it to start at {@code expectedStart} if it has an estimate, and the job
     * stands at {@code queuePosition} in its partition's queue (1: next) where the listing tells.
     */
    record JobPending(Optional<String> reason, Optional<Instant> expectedStart, Optional<Integer> queuePosition)
            implements Observation {

        /** A pending job without the scheduler's estimate of its start. */
        public JobPending(Optional<String> reason) {
            this(reason, Optional.empty());
        }

        /** A pending job whose position in the queue the listing does not tell. */
        public JobPending(Optional<String> reason, Optional<Instant> expectedStart) {
            this(reason, expectedStart, Optional.empty());
        }
    }

    /** The job runs, on {@code node} when the scheduler says which. */
    record JobRunning(Optional<String> node) implements Observation {
    }

    /** The server listens at {@code host:port} on the job's {@code node}. */
    record Ready(String node, String host, int port) implements Observation {
    }

    /** The user asked for a stop. */
    record StopAsked() implements Observation {
    }

    /** The scheduler took the cancel of the stopping server's job. */
    record CancelTaken() implements Observation {
        /** A lost "stopped" is rebuilt: the listing shows the job cancelled (or gone, or a second cancel ends it). */
        @Override
        public boolean schedulerKeepsIt() {
            return true;
        }
    }

    /** The cancel of the stopping server's job failed ({@code transientFailure}: soon tried again). */
    record CancelFailed(boolean transientFailure, String error) implements Observation {
    }

    /**
     * The job ended, in the scheduler's state {@code how}, with its exit code if known;
     * {@code outputNote} is {@link Messages#outputTail} or {@link Messages#outputHidden} (or empty), shown when the
     * start fails.
     */
    record JobEnded(String how, Integer exitCode, String outputNote) implements Observation {
    }

    /** The scheduler no longer knows the job (looked up after the gone-grace); {@code outputNote} as for JobEnded. */
    record JobGone(String outputNote) implements Observation {
    }

    /** The start did not reach ready within {@code allowed}; its job was cancelled. */
    record StartTimedOut(Duration allowed) implements Failure {
    }

    /** A stopping start whose submit was cut off still has no job after the gone-grace. */
    record CutOffStopped() implements Observation {
    }

    /** A start whose submit was cut off has no job after {@code submitDeadline}. */
    record CutOffGivenUp(Duration submitDeadline) implements Failure {
    }

    /** The scheduler could not say how the job is ({@code problem}, for the log). */
    record SchedulerUnknown(String problem) implements Observation {
    }

    /** The job is not in the scheduler's listing. */
    record JobMissing() implements Observation {
    }
}
