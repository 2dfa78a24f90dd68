package io.hpcspawner.support;

import io.hpcspawner.spawn.port.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until told to move (also the clock of the token tests), and a {@link Sleeper} that moves it instead of
 * sleeping, recording each wait: fault tests run in real milliseconds and can assert the waits.
 */
public final class FakeTime extends Clock implements Sleeper {

    private final AtomicReference<Instant> now;
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    public FakeTime(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    public FakeTime() {
        this(Instant.parse("2026-01-15T10:00:00Z"));
    }

    public void advance(Duration d) {
        now.updateAndGet(t -> t.plus(d));
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        advance(duration);
    }

    /** Every wait asked for so far, in order. */
    public List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    public Duration slept() {
        return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
