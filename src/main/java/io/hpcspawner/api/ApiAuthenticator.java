package io.hpcspawner.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.credentials.JupyterHubTokens;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** Turns an {@code Authorization} header into a {@link Caller}, or refuses it. */
@ApplicationScoped
public class ApiAuthenticator {

    private final SpawnerConfig config;
    private final Optional<JupyterHubTokens> hubTokens;

    public ApiAuthenticator(SpawnerConfig config, Clock clock, ObjectMapper json) {
        this.config = config;
        this.hubTokens = config.auth().jupyterhubApiUrl()
                .map(u -> new JupyterHubTokens(u, config.auth().tokenCacheTtl(), clock, json));
    }

    /** The caller, or {@link ApiException} 401 when the credential is missing or unknown. */
    public Caller authenticate(String authorization) {
        String token = bearer(authorization);
        if (same(token, config.auth().hubToken())) {
            return Caller.theHub();
        }
        for (Map.Entry<String, String> e : config.auth().userTokens().entrySet()) {
            if (same(token, e.getValue())) {
                return Caller.user(e.getKey());
            }
        }
        return hubTokens.flatMap(h -> h.userOf(token)).map(Caller::user)
                .orElseThrow(() -> ApiException.unauthorized("the token is not valid for this service"));
    }

    /** Checks the caller may act on the servers of {@code user}. */
    public Caller authorize(String authorization, String user) {
        Caller caller = authenticate(authorization);
        if (!caller.mayAccess(user)) {
            throw ApiException.forbidden("this credential reaches only the servers of " + caller.user());
        }
        return caller;
    }

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

    private static boolean same(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
