package io.hpcspawner.credentials.keycloak;

/**
 * The two OAuth 2.0 grants the spawner uses, for one client. {@link KeycloakClient} does them
 * over HTTP; tests substitute fakes.
 */
public interface TokenEndpoint {

    /** The {@code client_credentials} grant: a token for the client's service account. */
    TokenResponse clientCredentials();

    /**
     * The {@code refresh_token} grant. Keycloak may rotate the refresh token: the answer's
     * {@link TokenResponse#refreshToken()} then replaces the one passed in.
     *
     * @throws LoginExpiredException when the session behind {@code refreshToken} is over
     */
    TokenResponse refresh(String refreshToken);

    String clientId();
}
