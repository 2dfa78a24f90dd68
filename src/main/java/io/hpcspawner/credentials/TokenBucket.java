package io.hpcspawner.credentials;

import java.time.Clock;
import java.time.Duration;

/**
 * A rate limit: {@code burst} permits at most, refilled at {@code perSecond}. Thread-safe; a
 * refused permit costs nothing, so a flood is answered at once.
 */
final class TokenBucket {

    private final Clock clock;
    private final double perSecond;
    private final double burst;
    private double permits;
    private long lastNanos;

    TokenBucket(int perSecond, int burst, Clock clock) {
        this.clock = clock;
        this.perSecond = perSecond;
        this.burst = burst;
        this.permits = burst;
        this.lastNanos = nanos();
    }

    /** Takes a permit if one is left. */
    synchronized boolean tryTake() {
        refill();
        if (permits >= 1) {
            permits -= 1;
            return true;
        }
        return false;
    }

    /** How long until the next permit (at least one second, as Retry-After counts whole seconds). */
    synchronized Duration untilNext() {
        refill();
        double missing = Math.max(0, 1 - permits);
        return Duration.ofSeconds(Math.max(1, (long) Math.ceil(missing / perSecond)));
    }

    private void refill() {
        long now = nanos();
        permits = Math.min(burst, permits + Math.max(0, now - lastNanos) / 1e9 * perSecond); // a clock set back adds nothing
        lastNanos = now;
    }

    private long nanos() {
        Duration sinceEpoch = Duration.ofMillis(clock.millis());
        return sinceEpoch.toNanos();
    }
}
