package io.hpcspawner.scheduler.guard;

import io.hpcspawner.scheduler.SchedulerException;
import io.hpcspawner.scheduler.resilience.ResiliencePolicy;
import io.smallrye.faulttolerance.api.CustomBackoffStrategy;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before a retry, for SmallRye Fault Tolerance's custom backoff: doubling from
 * {@code retry.initial-backoff} up to {@code retry.max-backoff}, a wait {@code d} drawn from
 * {@code [d·(1−jitter), d]}, and at least the wait the API asked for
 * ({@link SchedulerException#retryAfter()}, cut to {@code retry.max-retry-after}). One instance per
 * guarded call, as SmallRye asks of a strategy.
 */
final class PolicyBackoff implements CustomBackoffStrategy {

    private final ResiliencePolicy.Retry retry;
    private long next;

    PolicyBackoff(ResiliencePolicy.Retry retry) {
        this.retry = retry;
        this.next = retry.initialBackoff().toMillis();
    }

    @Override
    public long nextDelayInMillis(Throwable failure) {
        long base = Math.min(next, retry.maxBackoff().toMillis());
        next = Math.min(base * 2, retry.maxBackoff().toMillis());
        long wait = base - (long) (base * retry.jitter() * ThreadLocalRandom.current().nextDouble());
        if (failure instanceof SchedulerException e && e.retryAfter().isPresent()) {
            Duration asked = e.retryAfter().get();
            Duration capped = asked.compareTo(retry.maxRetryAfter()) > 0 ? retry.maxRetryAfter() : asked;
            wait = Math.max(wait, capped.toMillis());
        }
        return wait;
    }
}
