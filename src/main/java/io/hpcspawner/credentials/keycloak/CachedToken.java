package io.hpcspawner.credentials.keycloak;

import java.time.Duration;
import java.time.Instant;

/**
 * An access token with the instant from which it is renewed: {@code margin} before it expires,
 * or at half its lifetime if it lives less than twice the margin (so a short-lived token is not
 * fetched again on every use).
 */
record CachedToken(String value, Instant expiresAt, Instant renewAt, boolean shortLived) {

    static CachedToken of(TokenResponse r, Instant requestedAt, Duration margin) {
        Duration lifetime = r.expiresIn();
        Duration half = lifetime.dividedBy(2);
        boolean shortLived = margin.compareTo(half) > 0;
        Instant expiresAt = requestedAt.plus(lifetime);
        return new CachedToken(r.accessToken(), expiresAt, expiresAt.minus(shortLived ? half : margin), shortLived);
    }

    boolean fresh(Instant now) {
        return now.isBefore(renewAt);
    }

    @Override
    public String toString() {
        return "CachedToken[expiresAt=" + expiresAt + ", renewAt=" + renewAt + "]";
    }
}
