package io.hpcspawner.credentials.keycloak;

import java.time.Instant;

/** An access token with its expiry and the instant from which it is renewed ({@link TokenValidity}). */
record CachedToken(String value, Instant expiresAt, Instant renewAt) {

    boolean fresh(Instant now) {
        return now.isBefore(renewAt);
    }

    @Override
    public String toString() {
        return "CachedToken[expiresAt=" + expiresAt + ", renewAt=" + renewAt + "]";
    }
}
