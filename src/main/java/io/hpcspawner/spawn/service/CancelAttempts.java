package io.hpcspawner.spawn.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentMap;

/**
 * One stop sends one cancel: per start, at most one cancel is in flight, and one the scheduler
 * took is not sent again; a failed one is tried again by the watcher only after a growing wait
 * (transient failures from {@value #TRANSIENT_FIRST_S} s up to {@value #TRANSIENT_MAX_S} s,
 * refusals such as an ended login from {@value #REFUSED_FIRST_S} s up to {@value #REFUSED_MAX_S} s),
 * while a stop the user asks for again, or a new login, tries at once. Jobs whose cancel was taken
 * are remembered by name for {@value #TAKEN_REMEMBERED_MIN} min, so that the orphan sweep does not
 * cancel them again while the scheduler tears them down. In memory: after a restart every stopping
 * server's cancel is sent once more, which is harmless. Thread-safe.
 */
final class CancelAttempts {

    static final int TRANSIENT_FIRST_S = 5;
    static final int TRANSIENT_MAX_S = 300;
    static final int REFUSED_FIRST_S = 60;
    static final int REFUSED_MAX_S = 1800;
    static final int TAKEN_REMEMBERED_MIN = 10;

    /** The cancel of one start: in flight or not, failures so far, and when the watcher may try again. */
    private record Attempt(boolean inFlight, int failures, Instant retryAt) {
    }

    /** Kept a day after the last change: an ended start's entry is never needed again. */
    private final ConcurrentMap<String, Attempt> byServerId = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofDays(1)).<String, Attempt>build().asMap();
    private final Cache<String, Boolean> takenJobs = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(TAKEN_REMEMBERED_MIN)).maximumSize(100_000).build();

    /**
     * Claims the sending of the cancel for start {@code serverId}. False when one is in flight, or
     * when {@code asked} is false (the watcher) and the wait after the last failure has not passed.
     */
    boolean claim(String serverId, boolean asked, Instant now) {
        boolean[] claimed = {false};
        byServerId.compute(serverId, (id, a) -> {
            if (a != null && (a.inFlight() || !asked && now.isBefore(a.retryAt()))) {
                return a;
            }
            claimed[0] = true;
            return new Attempt(true, a == null ? 0 : a.failures(), now);
        });
        return claimed[0];
    }

    /** The scheduler took the cancel of {@code jobName}'s job: never sent again for this start. */
    void taken(String serverId, String jobName) {
        takenJobs.put(jobName, Boolean.TRUE);
        byServerId.remove(serverId);
    }

    /** The cancel failed; returns the wait before the watcher tries again. */
    Duration failed(String serverId, boolean transientFailure, Instant now) {
        Attempt a = byServerId.compute(serverId, (id, old) -> {
            int failures = (old == null ? 0 : old.failures()) + 1;
            return new Attempt(false, failures, now.plus(wait(failures, transientFailure)));
        });
        return Duration.between(now, a.retryAt());
    }

    /** The next watcher round may try at once (e.g. the user's new login arrived). */
    void retrySoon(String serverId) {
        byServerId.computeIfPresent(serverId, (id, a) -> new Attempt(a.inFlight(), a.failures(), Instant.MIN));
    }

    /** True while the cancel of the job named {@code jobName} is known to have been taken. */
    boolean taken(String jobName) {
        return takenJobs.getIfPresent(jobName) != null;
    }

    private static Duration wait(int failures, boolean transientFailure) {
        long first = transientFailure ? TRANSIENT_FIRST_S : REFUSED_FIRST_S;
        long max = transientFailure ? TRANSIENT_MAX_S : REFUSED_MAX_S;
        long s = first << Math.min(failures - 1, 20);
        return Duration.ofSeconds(Math.min(s, max));
    }
}
