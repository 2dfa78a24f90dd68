package io.hpcspawner.credentials.keycloak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.credentials.secrets.RefreshableSecret;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import io.hpcspawner.http.BoundedHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Keycloak's token endpoint {@code {issuer}/protocol/openid-connect/token} for one confidential
 * client ({@code client_secret_post}). The secret is asked for on every grant, so a supplier that
 * reads a rotated secret (e.g. from Vault) takes effect on the next grant. Errors become a
 * {@link LoginExpiredException} (400 {@code invalid_grant} on a refresh), a
 * {@link KeycloakConfigurationException} (401, other 4xx) or a {@link KeycloakUnavailableException}
 * (connection failures, timeouts, 5xx, 429).
 */
public final class KeycloakClient implements TokenEndpoint {

    private static final int MAX_DESCRIPTION = 200;

    private final URI issuer;
    private final URI tokenUri;
    private final String clientId;
    private final Supplier<String> secret;
    private final Duration timeout;
    private final ObjectMapper json;
    private final BoundedHttp http;

    /**
     * @param issuer the realm's issuer, e.g. {@code https://idp.example.org/realms/hpc}; use the
     *        same host string as the tokens' {@code iss} claim
     * @param secret called once per grant; must not return null
     */
    public KeycloakClient(URI issuer, String clientId, Supplier<String> secret, Duration timeout, ObjectMapper json) {
        String base = issuer.toString().replaceAll("/+$", "");
        this.issuer = URI.create(base);
        this.tokenUri = URI.create(base + "/protocol/openid-connect/token");
        this.clientId = clientId;
        this.secret = secret;
        this.timeout = timeout;
        this.json = json;
        this.http = new BoundedHttp(timeout);
    }

    /** A fixed secret; the array is copied, so the caller may clear its own. */
    public KeycloakClient(URI issuer, String clientId, char[] secret, Duration timeout, ObjectMapper json) {
        this(issuer, clientId, fixed(secret), timeout, json);
    }

    private static Supplier<String> fixed(char[] secret) {
        char[] copy = secret.clone();
        return () -> new String(copy);
    }

    @Override
    public TokenResponse clientCredentials() {
        return grant("client_credentials", Map.of());
    }

    @Override
    public TokenResponse refresh(String refreshToken) {
        return grant("refresh_token", Map.of("refresh_token", refreshToken));
    }

    @Override
    public String clientId() {
        return clientId;
    }

    public URI issuer() {
        return issuer;
    }

    /**
     * One grant. When Keycloak rejects the client's credentials and the secret can be re-read
     * (rotated in Vault or in a mounted file), it is re-read and the grant tried once more.
     */
    private TokenResponse grant(String grantType, Map<String, String> extra) {
        try {
            return grantOnce(grantType, extra);
        } catch (KeycloakConfigurationException e) {
            if (e.clientRejected() && secret instanceof RefreshableSecret refreshable) {
                refreshable.invalidate();
                return grantOnce(grantType, extra);
            }
            throw e;
        }
    }

    private TokenResponse grantOnce(String grantType, Map<String, String> extra) {
        String clientSecret = secret.get();
        if (clientSecret == null || clientSecret.isEmpty()) {
            throw new KeycloakConfigurationException("no client secret is configured for Keycloak client '" + clientId
                    + "' at " + issuer);
        }
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", grantType);
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        form.putAll(extra);
        HttpRequest request = HttpRequest.newBuilder(tokenUri).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(encode(form)))
                .build();
        String what = "the " + grantType + " grant for client '" + clientId + "' at Keycloak " + issuer;
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw new KeycloakUnavailableException(what + " timed out after " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new KeycloakUnavailableException(what + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeycloakUnavailableException(what + " was interrupted", e);
        }
        int status = response.statusCode();
        JsonNode body = parse(response.body());
        if (body == null) {
            if (status >= 500) {
                throw new KeycloakUnavailableException(what + " failed: HTTP " + status, null);
            }
            throw new KeycloakConfigurationException(what + " got HTTP " + status
                    + " with a body that is not JSON: is this the issuer URL of a Keycloak realm?");
        }
        if (status == 200) {
            return toResponse(body, what);
        }
        throw failure(status, body, grantType, what);
    }

    private KeycloakException failure(int status, JsonNode body, String grantType, String what) {
        String error = body.path("error").asText("");
        String description = shorten(body.path("error_description").asText(""));
        String said = "HTTP " + status + (error.isEmpty() ? "" : " " + error) + (description.isEmpty() ? "" : ": " + description);
        if (status >= 500 || status == 429 || status == 408) {
            return new KeycloakUnavailableException(what + " failed: " + said, null);
        }
        if (status == 400 && "invalid_grant".equals(error) && "refresh_token".equals(grantType)
                && !description.contains("client don't match")) {
            return new LoginExpiredException(description.isEmpty() ? error : description);
        }
        if (status == 404) {
            return new KeycloakConfigurationException(what + " failed: " + said + " (check the issuer URL and the realm name)");
        }
        boolean clientRejected = status == 401 || error.equals("invalid_client") || error.equals("unauthorized_client");
        return new KeycloakConfigurationException(what + " was refused: " + said
                + " (check the client id, its secret and the client's settings in the realm)", clientRejected);
    }

    private TokenResponse toResponse(JsonNode body, String what) {
        String access = body.path("access_token").asText("");
        long expiresIn = body.path("expires_in").asLong(0);
        if (access.isEmpty() || expiresIn <= 0) {
            throw new KeycloakConfigurationException(what + " got an answer with no access_token or no expires_in");
        }
        String refresh = body.path("refresh_token").asText("");
        long refreshExpiresIn = body.path("refresh_expires_in").asLong(0); // 0: none, or does not expire (offline)
        return new TokenResponse(access, Duration.ofSeconds(expiresIn),
                refresh.isEmpty() ? Optional.empty() : Optional.of(refresh),
                refreshExpiresIn > 0 ? Optional.of(Duration.ofSeconds(refreshExpiresIn)) : Optional.empty());
    }

    private JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String encode(Map<String, String> form) {
        StringBuilder sb = new StringBuilder();
        form.forEach((k, v) -> {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8));
        });
        return sb.toString();
    }

    private static String shorten(String s) {
        return s.length() <= MAX_DESCRIPTION ? s : s.substring(0, MAX_DESCRIPTION) + "...";
    }

    @Override
    public String toString() {
        return "KeycloakClient[" + clientId + " at " + issuer + "]";
    }
}
