package io.hpcspawner.api;

import java.util.Map;

/**
 * The body of a create call. {@code environment} holds the hub's secrets for the server: it is
 * never logged.
 */
public record CreateServerBody(String startId, Map<String, Object> options, Map<String, String> environment) {

    @Override
    public String toString() {
        return "CreateServerBody[startId=" + startId + "]";
    }
}
