package io.hpcspawner.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.http.BoundedHttp;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * JupyterHub's REST API (3.x to 5.x) for the check: start, read and stop a named server, and a GET
 * through the proxy. The token goes in the {@code Authorization} header only, never in a URL or a log.
 */
public final class HubApi implements Hub {

    private final URI api;
    private final Supplier<String> token;
    private final BoundedHttp http;
    private final ObjectMapper json;

    public HubApi(URI api, Supplier<String> token, Duration callTimeout, ObjectMapper json) {
        String base = api.toString();
        this.api = URI.create(base.endsWith("/") ? base : base + "/");
        this.token = token;
        this.http = new BoundedHttp(callTimeout);
        this.json = json;
    }

    @Override
    public int start(String user, String server, Map<String, String> options) {
        HttpResponse<String> r = call("POST", serverPath(user, server), body(options));
        if (r.statusCode() != 201 && r.statusCode() != 202) {
            throw refused("starting", r);
        }
        return r.statusCode();
    }

    @Override
    public Optional<Server> server(String user, String server) {
        HttpResponse<String> r = call("GET", "users/" + encode(user), null);
        if (r.statusCode() != 200) {
            throw refused("reading", r);
        }
        try {
            JsonNode s = json.readTree(r.body()).path("servers").path(server);
            if (s.isMissingNode() || s.isNull()) {
                return Optional.empty();
            }
            return Optional.of(new Server(s.path("ready").asBoolean(false),
                    s.path("pending").isTextual() ? s.path("pending").asText() : null,
                    s.path("url").isTextual() ? s.path("url").asText() : null));
        } catch (IOException e) {
            throw new HubException("the hub's answer about user " + user + " is not JSON: " + e.getMessage());
        }
    }

    @Override
    public void stop(String user, String server) {
        HttpResponse<String> r = call("DELETE", serverPath(user, server), null);
        if (r.statusCode() != 202 && r.statusCode() != 204 && r.statusCode() != 404) {
            throw refused("stopping", r);
        }
    }

    @Override
    public int reach(URI url) {
        return send(HttpRequest.newBuilder(url).header("Authorization", "token " + token.get()).GET().build(),
                "GET " + url).statusCode();
    }

    private static String serverPath(String user, String server) {
        return "users/" + encode(user) + "/servers/" + encode(server);
    }

    private String body(Map<String, String> options) {
        try {
            return json.writeValueAsString(options);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> call(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(api.resolve(path)).header("Authorization", "token " + token.get())
                .header("Accept", "application/json");
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return send(b.build(), method + " " + api.resolve(path));
    }

    private HttpResponse<String> send(HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new HubException(what + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException(what + " was interrupted");
        }
    }

    private static HubException refused(String doing, HttpResponse<String> r) {
        String message = r.body() == null ? "" : r.body().strip();
        if (message.length() > 300) {
            message = message.substring(0, 300) + "...";
        }
        return new HubException("the hub answered HTTP " + r.statusCode() + " " + doing + " the server"
                + (message.isEmpty() ? "" : ": " + message)
                + (r.statusCode() == 403 ? " (the check's hub token lacks a scope for the check user: see"
                        + " hpcspawner.health-check.hub-token)" : ""));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
