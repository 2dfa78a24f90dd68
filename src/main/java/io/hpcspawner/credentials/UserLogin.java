package io.hpcspawner.credentials;

import java.util.Optional;

/**
 * The tokens of a user's login at the identity provider, as the hub's authenticator keeps them
 * (its auth state). The refresh token lets the service act as the user later; the access token,
 * when still fresh, saves a refresh. Secrets: {@link #toString()} shows neither.
 */
public record UserLogin(Optional<String> accessToken, String refreshToken) {

    public UserLogin {
        if (refreshToken == null || refreshToken.isBlank()) {
            throw new IllegalArgumentException("a login needs a refresh token");
        }
        accessToken = accessToken.filter(t -> !t.isBlank());
    }

    @Override
    public String toString() {
        return "UserLogin[accessToken=" + (accessToken.isPresent() ? "present" : "none") + ", refreshToken=present]";
    }
}
