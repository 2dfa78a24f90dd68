package io.hpcspawner.scheduler.firecrest;

import io.hpcspawner.scheduler.SchedulerException;

/** FirecREST answered with an HTTP error status; the message carries the server's own words. */
final class FirecrestHttpException extends SchedulerException {

    private final int status;

    FirecrestHttpException(String message, int status, boolean transientFailure) {
        super(message, transientFailure);
        this.status = status;
    }

    int status() {
        return status;
    }
}
