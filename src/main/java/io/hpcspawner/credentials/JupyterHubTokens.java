package io.hpcspawner.credentials;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.net.URI;
import io.hpcspawner.http.BoundedHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Verifies a JupyterHub API token by asking the hub whose it is and what it may do
 * ({@code GET <api>/user}, the way JupyterHub services authenticate users). Positive answers are
 * remembered for a while in a size-bounded cache, keyed by the token's SHA-256 hash; a "no" or a
 * failure is not remembered. Checks of tokens not in the cache are rate-limited, and each has a
 * short total timeout, so unauthenticated callers cannot make the service wait on the hub or
 * send it a flood of calls.
 */
public final class JupyterHubTokens {

    /** Cache, timeout and rate limit of the checks. */
    public record Limits(Duration ttl, int cacheSize, Duration timeout, int checksPerSecond, int checksBurst) {
    }

    private static final Logger LOG = Logger.getLogger(JupyterHubTokens.class);
    /** JupyterHub tokens are short printable ASCII; anything else is not one, and is never sent to the hub. */
    private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]{1,512}");

    private final URI userUrl;
    private final Limits limits;
    private final ObjectMapper json;
    private final BoundedHttp http;
    private final Cache<String, HubTokenOwner> verified;
    private final TokenBucket checks;

    public JupyterHubTokens(URI apiUrl, Limits limits, Clock clock, ObjectMapper json) {
        this.userUrl = URI.create(apiUrl.toString().replaceAll("/+$", "") + "/user");
        this.limits = limits;
        this.json = json;
        this.http = new BoundedHttp(limits.timeout());
        this.verified = Caffeine.newBuilder().maximumSize(limits.cacheSize()).expireAfterWrite(limits.ttl())
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis())).executor(Runnable::run).build();
        this.checks = new TokenBucket(limits.checksPerSecond(), limits.checksBurst(), clock);
    }

    /**
     * The owner of the token and its scopes, or empty when the hub does not know it (or it belongs
     * to a service, not a user).
     *
     * @throws TokenCheckUnavailable when the hub did not answer in time, or too many unknown tokens
     *         are being checked
     */
    public Optional<HubTokenOwner> ownerOf(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            return Optional.empty();
        }
        String key = Secrets.hash(token);
        HubTokenOwner known = verified.getIfPresent(key);
        if (known != null) {
            return Optional.of(known);
        }
        if (!checks.tryTake()) {
            Duration wait = checks.untilNext();
            throw new TokenCheckUnavailable("too many unknown tokens are being checked with JupyterHub; retry in "
                    + wait.toSeconds() + " s", wait, true);
        }
        Optional<HubTokenOwner> owner = ask(token);
        owner.ifPresent(o -> verified.put(key, o));
        return owner;
    }

    /** Tokens verified and still remembered (for tests and metrics). */
    public long remembered() {
        verified.cleanUp();
        return verified.estimatedSize();
    }

    private Optional<HubTokenOwner> ask(String token) {
        HttpRequest request = HttpRequest.newBuilder(userUrl).timeout(limits.timeout())
                .header("Authorization", "token " + token).header("Accept", "application/json").GET().build();
        HttpResponse<String> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            throw unavailable("no answer within " + limits.timeout().toMillis() + " ms");
        } catch (IOException e) {
            throw unavailable(e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
        if (r.statusCode() == 401 || r.statusCode() == 403) {
            return Optional.empty();
        }
        if (r.statusCode() != 200) {
            throw unavailable("HTTP " + r.statusCode() + (r.statusCode() == 404
                    ? " (is hpcspawner.auth.jupyterhub-api-url the hub's API, ending in /hub/api?)" : ""));
        }
        try {
            JsonNode body = json.readTree(r.body());
            if (!"user".equals(body.path("kind").asText("user")) || !body.path("name").isTextual()) {
                return Optional.empty();
            }
            Set<String> scopes = new HashSet<>();
            body.path("scopes").forEach(s -> scopes.add(s.asText()));
            return Optional.of(new HubTokenOwner(body.get("name").asText(), scopes));
        } catch (IOException e) {
            throw unavailable("an answer that is not JSON");
        }
    }

    private TokenCheckUnavailable unavailable(String why) {
        LOG.warnf("Cannot verify a token with JupyterHub at %s: %s", userUrl, why);
        return new TokenCheckUnavailable("JupyterHub did not answer the token check; retry in a few seconds",
                Duration.ofSeconds(5), false);
    }
}
