package io.hpcspawner.api;

import io.hpcspawner.config.SpawnerConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.json.JsonString;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Gives an identity that quarkus-oidc made from a verified Keycloak token the same shape as one
 * from {@link TokenIdentityProvider}: role {@value TokenIdentityProvider#HUB} or
 * {@value TokenIdentityProvider#USER} with the user's name as principal (by {@link KeycloakRoles}),
 * and none of Keycloak's own roles, so {@link ServerAccess} and every {@code @RolesAllowed} apply
 * unchanged. Other identities pass through untouched.
 */
@ApplicationScoped
public class KeycloakIdentityAugmentor implements SecurityIdentityAugmentor {

    private final KeycloakRoles roles;
    private final boolean enabled;
    private final Optional<List<String>> audience;

    @Inject
    public KeycloakIdentityAugmentor(SpawnerConfig config,
            @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "true") boolean enabled,
            @ConfigProperty(name = "quarkus.oidc.token.audience") Optional<List<String>> audience) {
        this(KeycloakRoles.of(config.auth().keycloak()), enabled, audience);
    }

    KeycloakIdentityAugmentor(KeycloakRoles roles, boolean enabled, Optional<List<String>> audience) {
        this.roles = roles;
        this.enabled = enabled;
        this.audience = audience;
    }

    /** Without an audience quarkus-oidc would accept any token of the realm, whichever client it was issued for. */
    void audienceRequired(@Observes StartupEvent start) {
        if (enabled && audience.filter(a -> !a.isEmpty()).isEmpty()) {
            throw new IllegalStateException("quarkus.oidc.tenant-enabled=true needs quarkus.oidc.token.audience: the"
                    + " audience Keycloak puts in the tokens meant for this service, e.g. hpcspawner-api (docs/keycloak.md)");
        }
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (!(identity.getPrincipal() instanceof JsonWebToken token)) {
            return Uni.createFrom().item(identity);
        }
        try {
            Optional<String> user = Optional.ofNullable(token.getClaim(roles.userNameClaim()))
                    .map(v -> v instanceof JsonString s ? s.getString() : v.toString());
            return Uni.createFrom().item(TokenIdentityProvider.identity(roles.caller(identity.getRoles(), user)));
        } catch (ApiException refused) {
            return Uni.createFrom().failure(new AuthenticationFailedException(refused));
        }
    }
}
