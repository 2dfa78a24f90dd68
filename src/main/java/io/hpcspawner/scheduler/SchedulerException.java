package io.hpcspawner.scheduler;

import java.time.Duration;
import java.util.Optional;

/**
 * A scheduler call failed. {@code transient} says whether the same call may succeed later
 * (connection refused, timeout, 5xx); a rejected submit is not transient. {@code retryAfter},
 * when present, is how long the server (or a gateway in front of it) asked us to wait before
 * calling again, e.g. from a 429's {@code Retry-After} header.
 */
public class SchedulerException extends RuntimeException {

    private final boolean transientFailure;
    private final Duration retryAfter;

    /** @param retryAfter how long to wait before the next call, or null when the server did not say */
    public SchedulerException(String message, boolean transientFailure, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.transientFailure = transientFailure;
        this.retryAfter = retryAfter;
    }

    public SchedulerException(String message, boolean transientFailure, Throwable cause) {
        this(message, transientFailure, cause, null);
    }

    public SchedulerException(String message, boolean transientFailure) {
        this(message, transientFailure, null, null);
    }

    public boolean isTransient() {
        return transientFailure;
    }

    /** How long to wait before calling again, when the server said so. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * True when the API answered and refused the request (an HTTP 4xx, e.g. 400, 403, 408, 429):
     * it did not act on it, so a rejected submit created no job and must not be sent again blindly.
     * False when it is not known whether the request was acted on (timeout, reset connection, 5xx).
     * Adapters that can tell override this.
     */
    public boolean rejected() {
        return false;
    }

    /**
     * True when the API itself answered with an error status, so it has finished with the
     * request: a listing made now shows whether it created a job. False when the outcome is open
     * because the API may still be working on it or its answer was lost: a timeout, a dropped
     * connection, a gateway's 502/504, a success answer that could not be read. Adapters that can
     * tell override this; the default (false) is the safe reading.
     */
    public boolean answered() {
        return rejected();
    }
}
