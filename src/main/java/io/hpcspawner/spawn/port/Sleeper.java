package io.hpcspawner.spawn.port;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits between attempts; tests pass one that moves a fake clock instead of sleeping. */
@FunctionalInterface
public interface Sleeper {

    /** Really sleeps. */
    Sleeper REAL = d -> TimeUnit.NANOSECONDS.sleep(d.toNanos());

    void sleep(Duration duration) throws InterruptedException;
}
