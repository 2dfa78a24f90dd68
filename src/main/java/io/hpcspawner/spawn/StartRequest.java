package io.hpcspawner.spawn;

import java.util.Map;

/** What the hub asks for when it starts a server. {@code environment} holds secrets: never log it. */
public record StartRequest(String startId, Map<String, Object> options, Map<String, String> environment) {

    @Override
    public String toString() {
        return "StartRequest[startId=" + startId + ", options=" + options + ", environment=(" + environment.size()
                + " variables)]";
    }
}
