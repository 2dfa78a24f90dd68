package io.hpcspawner.credentials.keycloak;

/**
 * The user's Keycloak session is over (logged out, idle or too old, refresh token reused or
 * revoked): the refresh token is worthless and only a new login helps. The message is meant for
 * the user; {@link #reason()} is Keycloak's {@code error_description}, for logs.
 */
public final class LoginExpiredException extends KeycloakException {

    public static final String USER_MESSAGE = "your login has expired: log out and log in again";

    private final String reason;

    public LoginExpiredException(String reason) {
        super(USER_MESSAGE, null);
        this.reason = reason;
    }

    /** What Keycloak said, e.g. "Session not active", "Token is not active", "Stale token". */
    public String reason() {
        return reason;
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
