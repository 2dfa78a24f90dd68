package io.hpcspawner.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Verifies a JupyterHub API token by asking the hub whose it is ({@code GET <api>/user}), the
 * way JupyterHub services authenticate users, and remembers the answer for a while. Tokens are
 * kept only as SHA-256 hashes.
 */
public final class JupyterHubTokens {

    private static final Logger LOG = Logger.getLogger(JupyterHubTokens.class);

    private final URI apiUrl;
    private final Duration ttl;
    private final Clock clock;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Verified> cache = new ConcurrentHashMap<>();

    private record Verified(Optional<String> user, Instant until) {
    }

    public JupyterHubTokens(URI apiUrl, Duration ttl, Clock clock, ObjectMapper json) {
        this.apiUrl = apiUrl;
        this.ttl = ttl;
        this.clock = clock;
        this.json = json;
    }

    /** The user the token belongs to, or empty when the hub does not know it. */
    public Optional<String> userOf(String token) {
        String key = Secrets.hash(token);
        Instant now = clock.instant();
        Verified v = cache.get(key);
        if (v != null && v.until().isAfter(now)) {
            return v.user();
        }
        Optional<String> user = ask(token);
        cache.put(key, new Verified(user, now.plus(ttl)));
        if (cache.size() > 10_000) {
            cache.entrySet().removeIf(e -> e.getValue().until().isBefore(now));
        }
        return user;
    }

    private Optional<String> ask(String token) {
        String base = apiUrl.toString().replaceAll("/+$", "");
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/user")).timeout(Duration.ofSeconds(5))
                .header("Authorization", "token " + token).GET().build();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return Optional.empty();
            }
            JsonNode body = json.readTree(r.body());
            return "user".equals(body.path("kind").asText("user")) && body.hasNonNull("name")
                    ? Optional.of(body.get("name").asText()) : Optional.empty();
        } catch (IOException e) {
            LOG.warnf("Cannot verify a token with JupyterHub at %s: %s", base, e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
