package io.hpcspawner.api;

import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The body of a create call. {@code environment} holds the hub's secrets for the server and
 * {@code login} the user's tokens (for backends that act as the user): neither is ever logged.
 * {@code groups} are the user's JupyterHub groups, honoured only when the hub calls.
 */
public record CreateServerBody(String startId, Map<String, Object> options, Map<String, String> environment,
        LoginBody login, @Schema(description = "The user's JupyterHub group names; they open the profiles restricted"
                + " to them. Honoured only when the caller is the hub (a user's own token has no groups)")
        List<String> groups) {

    public CreateServerBody(String startId, Map<String, Object> options, Map<String, String> environment,
            LoginBody login) {
        this(startId, options, environment, login, null);
    }

    @Override
    public String toString() {
        return "CreateServerBody[startId=" + startId + "]";
    }
}
