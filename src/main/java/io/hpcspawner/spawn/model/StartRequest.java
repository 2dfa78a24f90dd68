package io.hpcspawner.spawn.model;

import io.hpcspawner.credentials.UserLogin;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the hub asks for when it starts a server. {@code environment} and {@code login} hold
 * secrets: never log them.
 *
 * @param groups the user's JupyterHub groups as the hub tells them (empty when the caller is not the
 *        hub): they open the profiles restricted to them
 */
public record StartRequest(String startId, Map<String, Object> options, Map<String, String> environment,
        Optional<UserLogin> login, List<String> groups) {

    public StartRequest {
        groups = List.copyOf(groups);
    }

    public StartRequest(String startId, Map<String, Object> options, Map<String, String> environment,
            Optional<UserLogin> login) {
        this(startId, options, environment, login, List.of());
    }

    public StartRequest(String startId, Map<String, Object> options, Map<String, String> environment) {
        this(startId, options, environment, Optional.empty());
    }

    @Override
    public String toString() {
        return "StartRequest[startId=" + startId + ", options=" + options + ", environment=(" + environment.size()
                + " variables), login=" + (login.isPresent() ? "present" : "none") + ", groups=" + groups + "]";
    }
}
