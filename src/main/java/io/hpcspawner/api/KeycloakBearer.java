package io.hpcspawner.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Which roles of a verified Keycloak token make the caller the hub or a user, and which claim
 * names the user ({@code hpcspawner.auth.keycloak.*}). Read only when quarkus-oidc is on
 * ({@code quarkus.oidc.tenant-enabled=true}); the issuer and audience are quarkus-oidc's own keys.
 */
@ConfigMapping(prefix = "hpcspawner.auth.keycloak")
public interface KeycloakBearer {

    /** The Keycloak role (realm or client role, as {@code quarkus.oidc.roles.role-claim-path} finds them) of the hub. */
    @WithDefault("hub")
    String hubRole();

    /** The Keycloak role of a user: that user's own servers only. */
    @WithDefault("user")
    String userRole();

    /** The claim naming the user whose servers a user's token reaches. */
    @WithDefault("preferred_username")
    String userNameClaim();
}
