package io.hpcspawner.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns a token into a {@link SecurityIdentity} through {@link ApiAuthenticator}: role
 * {@value #HUB} for the hub's token, role {@value #USER} (principal: the user's name) for a static
 * user token or a JupyterHub token with the service's scope. A refusal carries the API's own
 * answer ({@link ApiException}: 401, 403 missing_scope, 429, 503) as its cause.
 */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<TokenRequest> {

    /** The role of the hub's credential: every user's servers and the admin routes. */
    public static final String HUB = "hub";
    /** The role of a user's credential: that user's servers only. */
    public static final String USER = "user";

    private final ApiAuthenticator authenticator;

    public TokenIdentityProvider(ApiAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public Class<TokenRequest> getRequestType() {
        return TokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenRequest request, AuthenticationRequestContext context) {
        // a JupyterHub token may need a call to the hub: off the event loop
        return context.runBlocking(() -> {
            try {
                return identity(authenticator.authenticateToken(request.token()));
            } catch (ApiException e) {
                throw new AuthenticationFailedException(e);
            }
        });
    }

    static SecurityIdentity identity(Caller caller) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(caller.hub() ? HUB : caller.user()))
                .addRole(caller.hub() ? HUB : USER)
                .build();
    }
}
