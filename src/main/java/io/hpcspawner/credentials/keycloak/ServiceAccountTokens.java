package io.hpcspawner.credentials.keycloak;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * The access token of a client's service account (client-credentials grant), cached and renewed
 * when less than a margin of its life is left (FirecREST v2 rejects tokens with under 30 s left).
 * Thread-safe: callers share a fresh token without locking; when it has to be renewed, one
 * caller fetches it while the others wait for that answer.
 */
public final class ServiceAccountTokens {

    /** Renew this long before expiry by default. */
    public static final Duration DEFAULT_MARGIN = Duration.ofSeconds(60);

    private static final Logger LOG = Logger.getLogger(ServiceAccountTokens.class);

    private final TokenEndpoint endpoint;
    private final Duration margin;
    private final RenewingToken token;
    private boolean warnedShortLived; // changed only while the token renews (one thread)

    public ServiceAccountTokens(TokenEndpoint endpoint) {
        this(endpoint, DEFAULT_MARGIN, Clock.systemUTC());
    }

    public ServiceAccountTokens(TokenEndpoint endpoint, Duration margin, Clock clock) {
        if (margin.isNegative()) {
            throw new IllegalArgumentException("the renewal margin is negative");
        }
        this.endpoint = endpoint;
        this.margin = margin;
        this.token = new RenewingToken(clock);
    }

    /**
     * A token with more than the margin left (or, for tokens living less than twice the margin,
     * more than half its life).
     *
     * @throws KeycloakException when no token can be had
     */
    public String accessToken() {
        return token.get(now -> {
            CachedToken t = CachedToken.of(endpoint.clientCredentials(), now, margin);
            if (t.shortLived() && !warnedShortLived) {
                warnedShortLived = true;
                LOG.warnf("service-account tokens of Keycloak client %s live %d s, less than twice the renewal margin"
                        + " (%d s): renewing at half-life; raise the client's access token lifespan",
                        endpoint.clientId(), t.expiresAt().getEpochSecond() - now.getEpochSecond(), margin.toSeconds());
            }
            LOG.debugf("new service-account token for Keycloak client %s, expires %s", endpoint.clientId(), t.expiresAt());
            return t;
        });
    }

    @Override
    public String toString() {
        return "ServiceAccountTokens[" + endpoint.clientId() + "]";
    }
}
