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
        return of(r.accessToken(), requestedAt, requestedAt.plus(r.expiresIn()), margin);
    }

    /** A token known to be valid from {@code from} until {@code expiresAt}. */
    static CachedToken of(String value, Instant from, Instant expiresAt, Duration margin) {
        Duration half = Duration.between(from, expiresAt).dividedBy(2);
        boolean shortLived = margin.compareTo(half) > 0;
        return new CachedToken(value, expiresAt, expiresAt.minus(shortLived ? half : margin), shortLived);
    }

    boolean fresh(Instant now) {
        return now.isBefore(renewAt);
    }

    @Override
    public String toString() {
        return "CachedToken[expiresAt=" + expiresAt + ", renewAt=" + renewAt + "]";
    }
}
