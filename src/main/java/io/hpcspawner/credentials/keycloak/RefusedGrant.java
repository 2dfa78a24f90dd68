package io.hpcspawner.credentials.keycloak;

/**
 * Keycloak's token endpoint answered a grant with something other than 200: the status and, when
 * the body is Keycloak's JSON error, its {@code error} and {@code error_description}.
 * {@link TokenEndpointAnswers} raises it inside the OIDC client, which would otherwise keep only
 * the body; {@link KeycloakClient} turns it into a {@link KeycloakException}. Holds no token or
 * secret (Keycloak's error bodies carry none).
 */
final class RefusedGrant extends RuntimeException {

    private final int status;
    private final String error;
    private final String description;
    private final boolean json;

    RefusedGrant(int status, String error, String description, boolean json) {
        super("HTTP " + status, null, false, false);
        this.status = status;
        this.error = error;
        this.description = description;
        this.json = json;
    }

    int status() {
        return status;
    }

    /** Keycloak's {@code error}, or empty. */
    String error() {
        return error;
    }

    /** Keycloak's {@code error_description}, or empty. */
    String description() {
        return description;
    }

    /** Whether the body was a JSON object (Keycloak's own answer, not a proxy's error page). */
    boolean json() {
        return json;
    }
}
