package io.hpcspawner.credentials.keycloak;

import io.hpcspawner.credentials.secrets.RefreshableSecret;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;
import io.quarkus.oidc.client.runtime.DisabledOidcClientException;
import io.quarkus.oidc.client.runtime.OidcClientConfig;
import io.quarkus.oidc.client.runtime.OidcClientConfig.Grant;
import io.quarkus.oidc.common.runtime.config.OidcClientCommonConfig.Credentials.Secret.Method;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.DecodeException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One confidential client of a Keycloak realm ({@code client_secret_post}), through a named
 * quarkus-oidc-client built from the site's configuration ({@link OidcClients#newClient}). The
 * secret is asked for on every grant and the OIDC client rebuilt when it changed, so a supplier
 * that reads a rotated secret (a {@code file:} or {@code vault:} reference) takes effect on the
 * next grant. Errors become a {@link LoginExpiredException} (400 {@code invalid_grant} on a
 * refresh), a {@link KeycloakConfigurationException} (401, other 4xx, unreadable answers) or a
 * {@link KeycloakUnavailableException} (no answer, timeouts, 5xx, 429, 408). Blocking: call it
 * from worker threads, never from an event loop.
 */
public final class KeycloakClient implements TokenEndpoint {

    /** Starts the id of every OIDC client built here ({@link TokenEndpointAnswers} acts on these only). */
    static final String ID_PREFIX = "hpcspawner-keycloak:";
    private static final String TOKEN_PATH = "protocol/openid-connect/token";
    /**
     * quarkus-oidc-client's DEBUG lines print the token request's form, client secret and refresh
     * token included: its logger stays at INFO whatever level the site gives its parents or root
     * (held here so the level is not lost with a collected logger).
     */
    private static final Logger GRANT_LOG = Logger.getLogger("io.quarkus.oidc.client.runtime.OidcClientImpl");

    private final OidcClients clients;
    private final URI issuer;
    private final String clientId;
    private final Supplier<String> secret;
    private final Duration timeout;
    private OidcClient client; // guarded by this, built for clientSecret
    private String clientSecret;

    /**
     * @param issuer the realm's issuer, e.g. {@code https://idp.example.org/realms/hpc}; use the
     *        same host string as the tokens' {@code iss} claim
     * @param secret called once per grant; must not return null
     * @param timeout the most one grant may take, answer included
     */
    public KeycloakClient(OidcClients clients, URI issuer, String clientId, Supplier<String> secret, Duration timeout) {
        this.clients = clients;
        this.issuer = URI.create(issuer.toString().replaceAll("/+$", ""));
        this.clientId = clientId;
        this.secret = secret;
        this.timeout = timeout;
        GRANT_LOG.setLevel(Level.INFO); // after the site's logging configuration, which may name it
    }

    /** A fixed secret; the array is copied, so the caller may clear its own. */
    public KeycloakClient(OidcClients clients, URI issuer, String clientId, char[] secret, Duration timeout) {
        this(clients, issuer, clientId, fixed(secret), timeout);
    }

    private static Supplier<String> fixed(char[] secret) {
        char[] copy = secret.clone();
        return () -> new String(copy);
    }

    @Override
    public TokenResponse clientCredentials() {
        return grant("client_credentials", OidcClient::getTokens);
    }

    @Override
    public TokenResponse refresh(String refreshToken) {
        return grant("refresh_token", c -> c.refreshTokens(refreshToken));
    }

    @Override
    public String clientId() {
        return clientId;
    }

    public URI issuer() {
        return issuer;
    }

    /**
     * One grant. When Keycloak rejects the client's credentials and the secret can be re-read
     * (rotated in Vault or in a mounted file), it is re-read and the grant tried once more.
     */
    private TokenResponse grant(String grantType, Function<OidcClient, Uni<Tokens>> call) {
        try {
            return grantOnce(grantType, call);
        } catch (KeycloakConfigurationException e) {
            if (e.clientRejected() && secret instanceof RefreshableSecret refreshable) {
                refreshable.invalidate();
                return grantOnce(grantType, call);
            }
            throw e;
        }
    }

    private TokenResponse grantOnce(String grantType, Function<OidcClient, Uni<Tokens>> call) {
        String what = "the " + grantType + " grant for client '" + clientId + "' at Keycloak " + issuer;
        Tokens tokens;
        try {
            tokens = call.apply(client()).await().atMost(timeout);
        } catch (RefusedGrant r) {
            throw failure(r, grantType, what);
        } catch (TimeoutException e) {
            throw new KeycloakUnavailableException(what + " timed out after " + timeout.toMillis() + " ms", null);
        } catch (DisabledOidcClientException e) {
            throw new KeycloakConfigurationException(what + " is impossible: the OIDC client cannot be built from"
                    + " these settings (check the issuer URL, an absolute http(s) URL)");
        } catch (DecodeException e) {
            throw new KeycloakConfigurationException(what + " got an answer that is not JSON: is this the issuer URL"
                    + " of a Keycloak realm?");
        } catch (OidcClientException | IllegalStateException e) {
            // no answer at all (the OIDC client hides the cause and logs it), or a client closed by a secret's rotation
            throw new KeycloakUnavailableException(what + " failed: " + e.getClass().getSimpleName() + " "
                    + e.getMessage(), null);
        }
        return toResponse(tokens, what);
    }

    /** The OIDC client for the current secret, built again when the secret changed. */
    private synchronized OidcClient client() {
        String current = secret.get();
        if (current == null || current.isEmpty()) {
            throw new KeycloakConfigurationException("no client secret is configured for Keycloak client '" + clientId
                    + "' at " + issuer);
        }
        if (client == null || !current.equals(clientSecret)) {
            OidcClient previous = client;
            client = clients.newClient(config(current)).await().atMost(timeout);
            clientSecret = current;
            close(previous);
        }
        return client;
    }

    private OidcClientConfig config(String secretValue) {
        return OidcClientConfig.builder()
                .id(ID_PREFIX + clientId + "@" + issuer)
                .authServerUrl(issuer.toString())
                .discoveryEnabled(false) // Keycloak's token path is fixed: no discovery call
                .tokenPath(TOKEN_PATH)
                .clientId(clientId)
                .credentials().clientSecret(secretValue, Method.POST).end()
                .grant(Grant.Type.CLIENT)
                .connectionTimeout(timeout)
                .build();
    }

    private static void close(OidcClient previous) {
        if (previous != null) {
            try {
                previous.close();
            } catch (IOException | RuntimeException e) {
                // nothing holds it any more
            }
        }
    }

    private KeycloakException failure(RefusedGrant r, String grantType, String what) {
        int status = r.status();
        if (!r.json()) {
            if (status >= 500) {
                return new KeycloakUnavailableException(what + " failed: HTTP " + status, null);
            }
            return new KeycloakConfigurationException(what + " got HTTP " + status
                    + " with a body that is not JSON: is this the issuer URL of a Keycloak realm?");
        }
        String error = r.error();
        String description = r.description();
        String said = "HTTP " + status + (error.isEmpty() ? "" : " " + error) + (description.isEmpty() ? "" : ": " + description);
        if (status >= 500 || status == 429 || status == 408) {
            return new KeycloakUnavailableException(what + " failed: " + said, null);
        }
        if (status == 400 && "invalid_grant".equals(error) && "refresh_token".equals(grantType)
                && !description.contains("client don't match")) {
            return new LoginExpiredException(description.isEmpty() ? error : description);
        }
        if (status == 404) {
            return new KeycloakConfigurationException(what + " failed: " + said + " (check the issuer URL and the realm name)");
        }
        boolean clientRejected = status == 401 || error.equals("invalid_client") || error.equals("unauthorized_client");
        return new KeycloakConfigurationException(what + " was refused: " + said
                + " (check the client id, its secret and the client's settings in the realm)", clientRejected);
    }

    private static TokenResponse toResponse(Tokens tokens, String what) {
        String access = tokens.getAccessToken();
        long expiresIn = seconds(tokens, "expires_in");
        if (access == null || access.isEmpty() || expiresIn <= 0) {
            throw new KeycloakConfigurationException(what + " got an answer with no access_token or no expires_in");
        }
        String refresh = tokens.getRefreshToken();
        long refreshExpiresIn = seconds(tokens, "refresh_expires_in"); // 0: none, or does not expire (offline)
        return new TokenResponse(access, Duration.ofSeconds(expiresIn),
                refresh == null || refresh.isEmpty() ? Optional.empty() : Optional.of(refresh),
                refreshExpiresIn > 0 ? Optional.of(Duration.ofSeconds(refreshExpiresIn)) : Optional.empty());
    }

    /** A lifetime of the grant's answer in seconds, 0 when absent or not a number. */
    private static long seconds(Tokens tokens, String property) {
        try {
            String value = tokens.get(property);
            return value == null ? 0 : Long.parseLong(value.trim());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    @Override
    public String toString() {
        return "KeycloakClient[" + clientId + " at " + issuer + "]";
    }
}
