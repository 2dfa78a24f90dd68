package io.hpcspawner.spawn.port;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

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

    /**
     * True when the request certainly never reached the API, so it cannot have acted on it: no
     * connection could be made (refused, connect timeout, unknown host, no route), or this
     * service's own fault handling refused the call without sending it (an open circuit breaker,
     * a rate-limit wait, a full submit bulkhead). Looks through the causes, so a failure wrapped
     * by a retry layer still tells.
     */
    public final boolean neverReachedApi() {
        for (Throwable t = this; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
                    || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t instanceof SchedulerException s && s.refusedBeforeSending()) {
                return true;
            }
        }
        return false;
    }

    /** The HTTP status the API (or a gateway in front of it) answered with, looking through the causes; empty when none. */
    public final OptionalInt answeredStatus() {
        for (Throwable t = this; t != null; t = t.getCause()) {
            if (t instanceof SchedulerException s && s.httpStatus() > 0) {
                return OptionalInt.of(s.httpStatus());
            }
        }
        return OptionalInt.empty();
    }

    /** Overridden by failures raised before any request was sent. */
    protected boolean refusedBeforeSending() {
        return false;
    }

    /** Overridden by adapters' failures that carry the answer's HTTP status; 0 when there was none. */
    protected int httpStatus() {
        return 0;
    }
}
