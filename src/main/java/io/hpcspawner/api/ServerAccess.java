package io.hpcspawner.api;

import io.quarkus.security.PermissionChecker;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The permission {@value #SERVERS_OF_USER}: a route carrying
 * {@code @PermissionsAllowed(ServerAccess.SERVERS_OF_USER)} and a parameter {@code user} is
 * reached by the hub, and by a user's credential for that user's own servers only. A refusal of a
 * malformed {@code user} is answered 400 invalid_name by {@link ErrorMapper}, as before the check.
 */
@ApplicationScoped
public class ServerAccess {

    /** The permission to act on the servers of the route's {@code user}. */
    public static final String SERVERS_OF_USER = "servers-of-user";

    @PermissionChecker(SERVERS_OF_USER)
    boolean reaches(SecurityIdentity identity, String user) {
        if (identity.hasRole(TokenIdentityProvider.HUB)) {
            return true;
        }
        return identity.hasRole(TokenIdentityProvider.USER) && identity.getPrincipal().getName().equals(user);
    }
}
