package io.hpcspawner.api;

import java.util.Map;

/**
 * The body of a create call. {@code environment} holds the hub's secrets for the server and
 * {@code login} the user's tokens (for backends that act as the user): neither is ever logged.
 */
public record CreateServerBody(String startId, Map<String, Object> options, Map<String, String> environment,
        LoginBody login) {

    @Override
    public String toString() {
        return "CreateServerBody[startId=" + startId + "]";
    }
}
