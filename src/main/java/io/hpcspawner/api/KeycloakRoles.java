package io.hpcspawner.api;

import io.hpcspawner.config.SpawnerConfig;
import java.util.Optional;
import java.util.Set;

/**
 * The rule that turns a verified Keycloak token into a {@link Caller}: the hub role makes the
 * hub, the user role makes the user named by the token's user-name claim, anything else is
 * refused with 403 (the token is genuine, it just grants nothing here).
 */
record KeycloakRoles(String hubRole, String userRole, String userNameClaim) {

    /** The roles and claim of {@code hpcspawner.auth.keycloak.*}. */
    static KeycloakRoles of(SpawnerConfig.KeycloakBearer settings) {
        return new KeycloakRoles(settings.hubRole(), settings.userRole(), settings.userNameClaim());
    }

    /** The caller a token with these roles and this user name (the claim's value, if any) speaks for. */
    Caller caller(Set<String> roles, Optional<String> userName) {
        if (roles.contains(hubRole)) {
            return Caller.theHub();
        }
        if (!roles.contains(userRole)) {
            throw ApiException.forbidden("this Keycloak token carries neither the role " + hubRole + " (the hub) nor "
                    + userRole + " (a user); a Keycloak admin grants one of them to the client or user");
        }
        return Caller.user(userName.filter(name -> !name.isBlank()).orElseThrow(() -> ApiException.forbidden(
                "this Keycloak token has the role " + userRole + " but no claim " + userNameClaim + " naming the user")));
    }
}
