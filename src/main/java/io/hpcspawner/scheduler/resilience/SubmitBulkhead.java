package io.hpcspawner.scheduler.resilience;

import io.hpcspawner.scheduler.SchedulerException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the submits in flight on one system, so a slow cluster cannot take every submit thread
 * of the service: a further submit waits for a free slot (first come, first served) for a bounded
 * time, then fails as transient.
 */
final class SubmitBulkhead {

    private final String system;
    private final int size;
    private final Duration maxWait;
    private final Semaphore slots;

    SubmitBulkhead(String system, ResiliencePolicy.Submits policy) {
        this.system = system;
        this.size = policy.concurrency();
        this.maxWait = policy.queueWait();
        this.slots = new Semaphore(size, true);
    }

    /** Takes a slot; call {@link #leave()} when the submit is over. */
    void enter() {
        boolean got;
        try {
            got = slots.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("Interrupted while waiting to submit to system " + system, true, e);
        }
        if (!got) {
            throw new CallRefused("submits_full", "Too many submits in flight on system " + system + " (" + size
                    + " at once); none finished within " + maxWait.toSeconds() + " s. Try again shortly.", null);
        }
    }

    void leave() {
        slots.release();
    }

    int inFlight() {
        return size - slots.availablePermits();
    }
}
