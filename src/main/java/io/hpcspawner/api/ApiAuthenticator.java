package io.hpcspawner.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.credentials.HubTokenOwner;
import io.hpcspawner.credentials.JupyterHubTokens;
import io.hpcspawner.credentials.TokenCheckUnavailable;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * Turns an {@code Authorization} header into a {@link Caller}, or refuses it. Accepted: the hub's
 * token, the static user tokens, and a user's JupyterHub API token that carries the scope made for
 * this service ({@code hpcspawner.auth.required-scope}); any other JupyterHub token of the user (a
 * notebook's own, an identify-only OAuth token) is refused with 403.
 */
@ApplicationScoped
public class ApiAuthenticator {

    private final SpawnerConfig config;
    private final Optional<JupyterHubTokens> hubTokens;

    public ApiAuthenticator(SpawnerConfig config, Clock clock, ObjectMapper json) {
        this.config = config;
        SpawnerConfig.Auth auth = config.auth();
        this.hubTokens = auth.jupyterhubApiUrl().map(u -> new JupyterHubTokens(u, new JupyterHubTokens.Limits(
                auth.tokenCacheTtl(), auth.tokenCacheSize(), auth.hubTimeout(), auth.tokenChecksPerSecond(),
                auth.tokenChecksBurst()), clock, json));
    }

    /**
     * The caller, or {@link ApiException}: 401 when the credential is missing or unknown, 403 for a
     * JupyterHub token without the required scope, 429 or 503 when a JupyterHub token cannot be
     * checked now.
     */
    public Caller authenticate(String authorization) {
        return authenticateToken(bearer(authorization));
    }

    /** As {@link #authenticate}, for the token alone (the header already read by {@link TokenAuthMechanism}). */
    Caller authenticateToken(String token) {
        if (same(token, config.auth().hubToken())) {
            return Caller.theHub();
        }
        for (Map.Entry<String, String> e : config.auth().userTokens().entrySet()) {
            if (same(token, e.getValue())) {
                return Caller.user(e.getKey());
            }
        }
        HubTokenOwner owner = hubTokens.flatMap(h -> check(h, token))
                .orElseThrow(() -> ApiException.unauthorized("the token is not valid for this service"));
        String scope = config.auth().requiredScope();
        if (!owner.carries(scope)) {
            throw new ApiException(403, "missing_scope", "this JupyterHub token of " + owner.user()
                    + " lacks the scope " + scope + " (or " + scope + "!user=" + owner.user() + ") that this service"
                    + " requires. A JupyterHub admin defines it in c.JupyterHub.custom_scopes and grants it with a role"
                    + " in c.JupyterHub.load_roles, e.g. {\"name\": \"hpcspawner-users\", \"scopes\": [\"" + scope
                    + "!user\"], \"groups\": [\"...\"]}; then use a token that has it (POST /hub/api/users/"
                    + owner.user() + "/tokens with {\"scopes\": [\"" + scope + "!user\"]})", null);
        }
        return Caller.user(owner.user());
    }

    /**
     * Checks the caller may act on the servers of {@code user}. The routes declare this as
     * {@code @PermissionsAllowed(ServerAccess.SERVERS_OF_USER)}; kept for the unit tests of the rule.
     */
    public Caller authorize(String authorization, String user) {
        Caller caller = authenticate(authorization);
        if (!caller.mayAccess(user)) {
            throw ApiException.forbidden("this credential reaches only the servers of " + caller.user());
        }
        return caller;
    }

    /** Checks the caller is the hub; the routes declare this as {@code @RolesAllowed("hub")}. */
    public Caller authorizeHub(String authorization) {
        Caller caller = authenticate(authorization);
        if (!caller.hub()) {
            throw ApiException.forbidden("only the hub's credential may list all servers");
        }
        return caller;
    }

    static String bearer(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw ApiException.unauthorized("send Authorization: Bearer <token>");
        }
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length != 2 || !(parts[0].equalsIgnoreCase("bearer") || parts[0].equalsIgnoreCase("token"))) {
            throw ApiException.unauthorized("the Authorization header must be 'Bearer <token>'");
        }
        return parts[1];
    }

    private static Optional<HubTokenOwner> check(JupyterHubTokens hub, String token) {
        try {
            return hub.ownerOf(token);
        } catch (TokenCheckUnavailable e) {
            throw new ApiException(e.rateLimited() ? 429 : 503, e.rateLimited() ? "too_many_token_checks" : "hub_unavailable",
                    e.getMessage(), null).retryAfter(e.retryAfter());
        }
    }

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
