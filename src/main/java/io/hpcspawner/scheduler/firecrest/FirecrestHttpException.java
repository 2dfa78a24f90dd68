package io.hpcspawner.scheduler.firecrest;

import io.hpcspawner.scheduler.SchedulerException;

/**
 * FirecREST answered with an HTTP error status (or, in v1, an error header); the message carries
 * the server's own words.
 */
final class FirecrestHttpException extends SchedulerException {

    private final int status;
    private final String errorHeader;

    FirecrestHttpException(String message, int status, boolean transientFailure, String errorHeader) {
        super(message, transientFailure);
        this.status = status;
        this.errorHeader = errorHeader;
    }

    int status() {
        return status;
    }

    /** The v1 error header that signalled the failure ({@code X-Invalid-Path}...), empty if none. */
    String errorHeader() {
        return errorHeader;
    }
}
