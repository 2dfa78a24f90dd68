package io.hpcspawner.credentials.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * The few claims of a Keycloak token the service reads to schedule its work: when an access token
 * expires, when a refresh token was issued and which session it belongs to. The signature is NOT
 * checked: these values decide when to refresh and which of two refresh tokens is newer, never
 * who someone is (FirecREST checks the tokens it receives). Tokens that are not JWTs have no claims.
 */
record JwtClaims(Optional<Instant> issuedAt, Optional<Instant> expiresAt, Optional<String> sessionId) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JwtClaims NONE = new JwtClaims(Optional.empty(), Optional.empty(), Optional.empty());

    /** The claims of {@code token}, or none when it is not a readable JWT. */
    static JwtClaims of(String token) {
        if (token == null) {
            return NONE;
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return NONE;
        }
        try {
            JsonNode payload = JSON.readTree(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
            if (payload == null || !payload.isObject()) {
                return NONE;
            }
            return new JwtClaims(instant(payload.path("iat")), instant(payload.path("exp")),
                    payload.path("sid").isTextual() ? Optional.of(payload.path("sid").asText()) : Optional.empty());
        } catch (IllegalArgumentException | IOException e) {
            return NONE; // never the parser's message: it may quote the token
        }
    }

    private static Optional<Instant> instant(JsonNode n) {
        return n.canConvertToLong() && n.asLong() > 0 ? Optional.of(Instant.ofEpochSecond(n.asLong())) : Optional.empty();
    }

    /**
     * Whether a refresh token with these claims was issued after one with {@code other}'s, in the
     * same session. Tokens of another session (a new login) count as newer; without an issue time
     * the offered token is taken as newer, because the hub only holds tokens it was given.
     */
    boolean newerThan(JwtClaims other) {
        if (sessionId.isPresent() && other.sessionId.isPresent() && !sessionId.equals(other.sessionId)) {
            return true;
        }
        if (issuedAt.isEmpty() || other.issuedAt.isEmpty()) {
            return true;
        }
        return issuedAt.get().isAfter(other.issuedAt.get());
    }
}
