package io.hpcspawner.credentials;

import java.util.Set;

/** What JupyterHub says of a user's API token: whose it is and the scopes it carries (expanded, as the hub lists them). */
public record HubTokenOwner(String user, Set<String> scopes) {

    public HubTokenOwner {
        scopes = Set.copyOf(scopes);
    }

    /**
     * Whether the token carries {@code scope} for its owner: plain, or filtered to that user
     * ({@code scope!user=<name>}). Filters to other users, groups, servers or services do not count:
     * the hub does not tell whom they reach, and this service grants per user.
     */
    public boolean carries(String scope) {
        return scopes.contains(scope) || scopes.contains(scope + "!user=" + user);
    }
}
