package io.hpcspawner.scheduler.firecrest;

import io.hpcspawner.spawn.port.SchedulerException;
import java.time.Duration;

/**
 * FirecREST answered with an HTTP error status (or, in v1, an error header); the message carries
 * the server's own words.
 */
final class FirecrestHttpException extends SchedulerException {

    private final int status;
    private final String errorHeader;

    /**
     * @param errorHeader the v1 error header that signalled the failure, or ""
     * @param retryAfter the wait the answer asked for (429, 503), or null
     */
    FirecrestHttpException(String message, int status, boolean transientFailure, String errorHeader, Duration retryAfter) {
        super(message, transientFailure, null, retryAfter);
        this.status = status;
        this.errorHeader = errorHeader;
    }

    int status() {
        return status;
    }

    @Override
    protected int httpStatus() {
        return status;
    }

    /** The v1 error header that signalled the failure ({@code X-Invalid-Path}...), empty if none. */
    String errorHeader() {
        return errorHeader;
    }

    /** FirecREST answered; a 502 or 504 comes from a gateway, and FirecREST behind it may still be at work. */
    @Override
    public boolean answered() {
        return status != 502 && status != 504;
    }

    /** A 4xx: FirecREST (or the gateway in front of it) refused the request without acting on it. */
    @Override
    public boolean rejected() {
        return status >= 400 && status < 500;
    }
}
