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

/**
 * Reads the API's credential from {@code Authorization: Bearer <token>} (or {@code token <token>},
 * as JupyterHub writes it) and hands it to {@link TokenIdentityProvider}. No header: anonymous, so
 * a route that needs a caller answers 401; a malformed header fails at once. No challenge header:
 * the API's 401 has always been a JSON body only.
 */
@ApplicationScoped
public class TokenAuthMechanism implements HttpAuthenticationMechanism {

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
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(new TokenRequest(token), context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenRequest.class);
    }
}
