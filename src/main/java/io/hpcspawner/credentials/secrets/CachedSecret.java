package io.hpcspawner.credentials.secrets;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * A secret read from its source at most once per {@code ttl} (and again after
 * {@link #invalidate()}), so a secret rotated in Vault or in a mounted file is used within
 * {@code ttl} without a restart. When a re-read fails, the value read before keeps being used
 * (and the failure is raised only when there is none). Thread-safe; never prints the value.
 */
public final class CachedSecret implements RefreshableSecret {

    private final SecretRef ref;
    private final Supplier<String> source;
    private final Duration ttl;
    private final Clock clock;
    private String value;
    private Instant readAt = Instant.MIN;

    public CachedSecret(SecretRef ref, Supplier<String> source, Duration ttl, Clock clock) {
        this.ref = ref;
        this.source = source;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public synchronized String get() {
        Instant now = clock.instant();
        if (value == null || !now.isBefore(readAt.plus(ttl))) {
            try {
                value = source.get();
                readAt = now;
            } catch (RuntimeException e) {
                if (value == null) {
                    throw e;
                }
                readAt = now; // keep the known value; try the source again after ttl
            }
        }
        return value;
    }

    @Override
    public synchronized void invalidate() {
        readAt = Instant.MIN;
    }

    @Override
    public String toString() {
        return "CachedSecret[" + ref + ", re-read every " + ttl + "]";
    }
}
