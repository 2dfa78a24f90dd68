package io.hpcspawner.scheduler.guard;

import io.hpcspawner.spawn.port.SchedulerException;
import java.time.Duration;

/**
 * A call the fault handling refused without sending it: the system's breaker is open, its API
 * asked us to wait, or too many submits are in flight. Transient, and never retried in place.
 */
public final class CallRefused extends SchedulerException {

    private final String reason;

    /** @param reason the metric tag: {@code breaker_open}, {@code rate_limited} or {@code submits_full} */
    public CallRefused(String reason, String message, Duration retryAfter) {
        super(message, true, null, retryAfter);
        this.reason = reason;
    }

    /** Nothing was sent: the call was refused here. */
    @Override
    protected boolean refusedBeforeSending() {
        return true;
    }

    public String reason() {
        return reason;
    }
}
