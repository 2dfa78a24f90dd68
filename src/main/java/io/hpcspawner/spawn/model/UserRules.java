package io.hpcspawner.spawn.model;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may own a server on the clusters, resolved once from the site's configuration: the mapping
 * of hub user names to cluster user names, and the cluster users who never run servers.
 *
 * @param minUid the lowest uid a server's owner may have (below are system accounts)
 * @param denied cluster users who never run servers: root, nobody, the scheduler's and the service's own users and
 *               the site's list
 * @param allowed when present, the only cluster users who may run servers
 * @param lowercase whether a hub user name is lower-cased to become the cluster user name
 * @param names explicit hub user → cluster user mappings
 */
public record UserRules(long minUid, Set<String> denied, Optional<List<String>> allowed, boolean lowercase,
        Map<String, String> names) {

    public UserRules {
        denied = Set.copyOf(denied);
        allowed = allowed.map(List::copyOf);
        names = Map.copyOf(names);
    }
}
