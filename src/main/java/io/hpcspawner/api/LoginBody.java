package io.hpcspawner.api;

import io.hpcspawner.credentials.UserLogin;
import java.util.Optional;

/**
 * A user's identity-provider tokens as the hub's authenticator keeps them: with a create, or on
 * their own (PUT .../login) before a stop. Secrets: {@link #toString()} shows neither token.
 */
public record LoginBody(String accessToken, String refreshToken) {

    private static final int MAX_TOKEN = 16 * 1024;

    /** The login, checked: a refresh token is required and neither token may exceed 16 KiB. */
    UserLogin toLogin() {
        if (refreshToken == null || refreshToken.isBlank()) {
            throw ApiException.badRequest("bad_request", "login.refreshToken is required: pass the refresh token from"
                    + " the authenticator's auth state", "login.refreshToken");
        }
        if (refreshToken.length() > MAX_TOKEN || (accessToken != null && accessToken.length() > MAX_TOKEN)) {
            throw ApiException.badRequest("bad_request", "a token in login is longer than 16 KiB", "login");
        }
        return new UserLogin(Optional.ofNullable(accessToken), refreshToken);
    }

    @Override
    public String toString() {
        return "LoginBody[accessToken=" + (accessToken == null ? "none" : "present") + ", refreshToken="
                + (refreshToken == null ? "none" : "present") + "]";
    }
}
