package io.hpcspawner.scheduler;

/**
 * A scheduler call failed. {@code transient} says whether the same call may succeed later
 * (connection refused, timeout, 5xx); a rejected submit is not transient.
 */
public class SchedulerException extends RuntimeException {

    private final boolean transientFailure;

    public SchedulerException(String message, boolean transientFailure, Throwable cause) {
        super(message, cause);
        this.transientFailure = transientFailure;
    }

    public SchedulerException(String message, boolean transientFailure) {
        this(message, transientFailure, null);
    }

    public boolean isTransient() {
        return transientFailure;
    }
}
