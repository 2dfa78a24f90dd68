package io.hpcspawner.credentials.keycloak;

/** Keycloak could not be reached or answered 5xx/429 or timed out: retrying later may work. */
public final class KeycloakUnavailableException extends KeycloakException {

    public KeycloakUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isTransient() {
        return true;
    }
}
