package io.hpcspawner.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the API's credential from {@code Authorization: Bearer <token>} (or {@code token <token>},
 * as JupyterHub writes it) and hands it to {@link TokenIdentityProvider}. No header: anonymous, so
 * a route that needs a caller answers 401; a malformed header fails at once. No challenge header:
 * the API's 401 has always been a JSON body only.
 *
 * <p>When Keycloak tokens are on ({@code quarkus.oidc.tenant-enabled=true}) a token shaped like a
 * JWT is left to quarkus-oidc's bearer mechanism, which runs after this one (lower priority) and
 * verifies it; every other token stays here, so quarkus-oidc never sees (or refuses) a JupyterHub
 * token and JupyterHub never sees a Keycloak token.
 */
@ApplicationScoped
public class TokenAuthMechanism implements HttpAuthenticationMechanism {

    private final boolean keycloakTokens;

    public TokenAuthMechanism(@ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "true") boolean keycloakTokens) {
        this.keycloakTokens = keycloakTokens;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            return Uni.createFrom().nullItem();
        }
        String token;
        try {
            token = ApiAuthenticator.bearer(header);
        } catch (ApiException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException(e));
        }
        if (keycloakTokens && JsonWebTokens.looksLikeOne(token)) {
            return Uni.createFrom().nullItem(); // quarkus-oidc's turn
        }
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(new TokenRequest(token), context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    /** Before quarkus-oidc's bearer mechanism, which would refuse every token that is not a JWT. */
    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenRequest.class);
    }
}
