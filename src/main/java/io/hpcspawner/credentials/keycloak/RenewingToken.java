package io.hpcspawner.credentials.keycloak;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * An access token that is renewed when it runs short, by one thread at a time: callers that find
 * it fresh take it without locking; the others wait while one renews it.
 */
final class RenewingToken {

    private final Clock clock;
    private final ReentrantLock renewal = new ReentrantLock();
    private volatile CachedToken current;

    RenewingToken(Clock clock) {
        this.clock = clock;
    }

    /** The token, renewed through {@code renew} (called under the lock, with the time) when it is not fresh. */
    String get(Function<Instant, CachedToken> renew) {
        CachedToken t = current;
        if (t != null && t.fresh(clock.instant())) {
            return t.value();
        }
        renewal.lock();
        try {
            Instant now = clock.instant();
            t = current;
            if (t != null && t.fresh(now)) {
                return t.value(); // another thread renewed it while we waited
            }
            t = renew.apply(now);
            current = t;
            return t.value();
        } finally {
            renewal.unlock();
        }
    }

    /**
     * A token after the receiver refused {@code refused} (e.g. FirecREST's 401): renewed through
     * {@code renew}, unless another caller already put a different fresh token in its place.
     */
    String renewedAfterRefusal(String refused, Function<Instant, CachedToken> renew) {
        renewal.lock();
        try {
            CachedToken t = current;
            Instant now = clock.instant();
            if (t != null && t.fresh(now) && !t.value().equals(refused)) {
                return t.value();
            }
            current = null;
            t = renew.apply(now);
            current = t;
            return t.value();
        } finally {
            renewal.unlock();
        }
    }

    /** Takes a token obtained elsewhere if it stays fresh longer than the one held. */
    void offer(CachedToken t) {
        renewal.lock();
        try {
            CachedToken held = current;
            if (t.fresh(clock.instant()) && (held == null || t.renewAt().isAfter(held.renewAt()))) {
                current = t;
            }
        } finally {
            renewal.unlock();
        }
    }

    /** Forgets the token; the next {@link #get} renews. */
    void clear() {
        current = null;
    }
}
