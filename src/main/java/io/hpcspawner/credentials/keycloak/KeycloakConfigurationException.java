package io.hpcspawner.credentials.keycloak;

/**
 * Keycloak refuses the client itself (unknown client id, wrong secret, grant not enabled, no such
 * realm): an operator has to fix the configuration. The message names the client id and the
 * issuer, never the secret.
 */
public final class KeycloakConfigurationException extends KeycloakException {

    public KeycloakConfigurationException(String message) {
        super(message, null);
    }

    @Override
    public boolean isTransient() {
        return false;
    }
}
