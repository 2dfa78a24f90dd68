package io.hpcspawner.scheduler.resilience;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The wait before a retry: exponential (doubling from the initial wait up to the maximum), with
 * part of it random so that calls which failed together do not come back together.
 */
final class Backoff {

    private final Duration initial;
    private final Duration max;
    private final double jitter;
    private final DoubleSupplier random;

    /** @param random values in [0, 1) */
    Backoff(Duration initial, Duration max, double jitter, DoubleSupplier random) {
        this.initial = initial;
        this.max = max;
        this.jitter = jitter;
        this.random = random;
    }

    /** The wait before retry number {@code retry} (1 for the first retry). */
    Duration before(int retry) {
        long ceiling = max.toNanos();
        long base = initial.toNanos();
        for (int i = 1; i < retry && base < ceiling; i++) {
            base = base > ceiling / 2 ? ceiling : base * 2;
        }
        base = Math.min(base, ceiling);
        return Duration.ofNanos(base - (long) (base * jitter * random.getAsDouble()));
    }
}
