package io.hpcspawner.credentials.keycloak;

/**
 * Keycloak refuses the client itself (unknown client id, wrong secret, grant not enabled, no such
 * realm): an operator has to fix the configuration. The message names the client id and the
 * issuer, never the secret.
 */
public final class KeycloakConfigurationException extends KeycloakException {

    private final boolean clientRejected;

    public KeycloakConfigurationException(String message) {
        this(message, false);
    }

    KeycloakConfigurationException(String message, boolean clientRejected) {
        super(message, null);
        this.clientRejected = clientRejected;
    }

    /** Keycloak said the client id or secret is wrong ({@code invalid_client}, {@code unauthorized_client}, 401). */
    boolean clientRejected() {
        return clientRejected;
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
