package io.hpcspawner.credentials.keycloak;

/**
 * Keeps a user's current refresh token, e.g. encrypted with {@link TokenCipher} in the server
 * record, so it survives a restart. {@link UserTokens} calls it after every rotation.
 */
@FunctionalInterface
public interface RefreshTokenStore {

    void store(String user, String refreshToken);
}
