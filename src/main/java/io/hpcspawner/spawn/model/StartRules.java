package io.hpcspawner.spawn.model;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The rules of a start, resolved once from the site's configuration.
 *
 * @param serversPerUser how many active servers one user may have
 * @param environmentDenied environment variable names a start may never set, each a name or a prefix ending in {@code *}
 * @param environmentAllowed when not empty, the only names a start may set (same form)
 * @param submitRetryFor how long a submit keeps trying while the cluster cannot be reached
 * @param submitRetryInterval the first wait between those tries
 * @param publicUrl the service's address as compute nodes reach it (for ready callbacks), if it has one
 */
public record StartRules(int serversPerUser, List<String> environmentDenied, List<String> environmentAllowed,
        Duration submitRetryFor, Duration submitRetryInterval, Optional<URI> publicUrl) {

    public StartRules {
        environmentDenied = List.copyOf(environmentDenied);
        environmentAllowed = List.copyOf(environmentAllowed);
    }
}
