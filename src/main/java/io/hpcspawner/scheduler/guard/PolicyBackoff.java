package io.hpcspawner.scheduler.guard;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The wait before a retry: doubling from {@code retry.initial-backoff} up to
 * {@code retry.max-backoff}, with part of it random ({@code retry.jitter}: a wait {@code d} is drawn
 * from {@code [d·(1−jitter), d]}) so that calls which failed together do not come back together.
 * SmallRye's own backoffs only know an absolute ± jitter, hence this.
 */
final class PolicyBackoff {

    private final ResiliencePolicy.Retry retry;
    private final DoubleSupplier random;

    /** @param random values in [0, 1) */
    PolicyBackoff(ResiliencePolicy.Retry retry, DoubleSupplier random) {
        this.retry = retry;
        this.random = random;
    }

    /** The wait before retry number {@code retry} (1 for the first retry). */
    Duration before(int n) {
        long ceiling = retry.maxBackoff().toNanos();
        long base = retry.initialBackoff().toNanos();
        for (int i = 1; i < n && base < ceiling; i++) {
            base = base > ceiling / 2 ? ceiling : base * 2;
        }
        base = Math.min(base, ceiling);
        return Duration.ofNanos(base - (long) (base * retry.jitter() * random.getAsDouble()));
    }
}
