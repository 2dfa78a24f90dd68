package io.hpcspawner.credentials.keycloak;

/**
 * No token could be had from Keycloak. {@link #isTransient()} says whether the same call may
 * succeed later (Keycloak down or slow) or needs a person (a user to log in again, an operator to
 * fix the configuration). Messages never contain tokens or client secrets.
 */
public abstract class KeycloakException extends RuntimeException {

    protected KeycloakException(String message, Throwable cause) {
        super(message, cause);
    }

    public abstract boolean isTransient();
}
