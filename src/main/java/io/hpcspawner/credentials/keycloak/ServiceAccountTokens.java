package io.hpcspawner.credentials.keycloak;

import java.time.Clock;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * The access token of a client's service account (client-credentials grant), cached and renewed
 * by the {@link TokenValidity} rule (so FirecREST, which refuses tokens with under 30 s left,
 * never gets one too short). Thread-safe: callers share a fresh token without locking; when it
 * has to be renewed, one caller fetches it while the others wait for that answer.
 */
public final class ServiceAccountTokens {

    private static final Logger LOG = Logger.getLogger(ServiceAccountTokens.class);

    private final TokenEndpoint endpoint;
    private final TokenValidity validity;
    private final RenewingToken token;

    public ServiceAccountTokens(TokenEndpoint endpoint) {
        this(endpoint, TokenValidity.DEFAULT, Clock.systemUTC());
    }

    public ServiceAccountTokens(TokenEndpoint endpoint, TokenValidity validity, Clock clock) {
        this.endpoint = endpoint;
        this.validity = validity;
        this.token = new RenewingToken(clock);
    }

    /**
     * A token with more than {@link TokenValidity#required()} left.
     *
     * @throws KeycloakException when no token can be had, or Keycloak's tokens live too short
     */
    public String accessToken() {
        return token.get(this::fetch);
    }

    /** A new token after the receiver refused {@code refused} (unless another caller renewed it already). */
    public String renewedAfterRefusal(String refused) {
        return token.renewedAfterRefusal(refused, this::fetch);
    }

    private CachedToken fetch(Instant now) {
        CachedToken t = validity.issued(endpoint.clientCredentials(), now, endpoint.clientId());
        LOG.debugf("new service-account token for Keycloak client %s, expires %s", endpoint.clientId(), t.expiresAt());
        return t;
    }

    @Override
    public String toString() {
        return "ServiceAccountTokens[" + endpoint.clientId() + "]";
    }
}
