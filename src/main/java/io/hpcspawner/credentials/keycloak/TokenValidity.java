package io.hpcspawner.credentials.keycloak;

import java.time.Duration;
import java.time.Instant;

/**
 * The one rule for how much life an access token must have left when the service sends it: more
 * than {@code minimum} (the least the receiver accepts: FirecREST refuses tokens with under 30 s
 * left) plus {@code margin} (the request's time on the way, clock skew between the hosts). Every
 * token the service holds, the service account's and each user's, is renewed once it has
 * {@link #required()} or less left, whatever its lifetime.
 *
 * <p>A token that lives no longer than {@link #required()} from the moment it is issued could
 * never be sent within the rule: taking one is an operator error (the realm's access token
 * lifespan is too short) reported on every use, rather than renewed on every use, which would
 * hide the problem behind a Keycloak call per FirecREST call.
 */
public record TokenValidity(Duration minimum, Duration margin) {

    /** FirecREST v2's {@code min_token_ttl}: it refuses tokens with less left. */
    public static final Duration FIRECREST_MINIMUM = Duration.ofSeconds(30);
    /** Time on the way and clock skew, by default. */
    public static final Duration DEFAULT_MARGIN = Duration.ofSeconds(15);
    /** FirecREST's minimum plus the default margin: tokens are renewed with 45 s left. */
    public static final TokenValidity DEFAULT = new TokenValidity(FIRECREST_MINIMUM, DEFAULT_MARGIN);

    public TokenValidity {
        if (minimum.isNegative() || margin.isNegative()) {
            throw new IllegalArgumentException("token validity durations must not be negative");
        }
    }

    /** A token is renewed once it has this or less left. */
    public Duration required() {
        return minimum.plus(margin);
    }

    /**
     * A token Keycloak issued at {@code issuedAt} (the instant the request was sent) for
     * {@code lifetime}.
     *
     * @throws KeycloakConfigurationException when the token lives too short to be sent within the rule
     */
    CachedToken issued(TokenResponse r, Instant issuedAt, String clientId) {
        return issued(r.accessToken(), issuedAt, r.expiresIn(), clientId);
    }

    /** See {@link #issued(TokenResponse, Instant, String)}. */
    CachedToken issued(String value, Instant issuedAt, Duration lifetime, String clientId) {
        if (lifetime.compareTo(required()) <= 0) {
            throw new KeycloakConfigurationException("access tokens of Keycloak client " + clientId + " live "
                    + lifetime.toSeconds() + " s, but a token sent to FirecREST must have more than "
                    + required().toSeconds() + " s left (hpcspawner.keycloak.min-token-validity " + minimum.toSeconds()
                    + " s + token-margin " + margin.toSeconds() + " s): raise the Access Token Lifespan of the realm or"
                    + " client in Keycloak (5 minutes is usual), or lower hpcspawner.keycloak.token-margin");
        }
        return held(value, issuedAt.plus(lifetime));
    }

    /** A token known to be valid until {@code expiresAt} (e.g. one the hub passed on); it may already be due. */
    CachedToken held(String value, Instant expiresAt) {
        return new CachedToken(value, expiresAt, expiresAt.minus(required()));
    }
}
