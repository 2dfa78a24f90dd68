package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.hpcspawner.scheduler.RetryAfter;
import io.hpcspawner.scheduler.SchedulerException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * HTTP and error translation for FirecREST v2: sends one request with a bearer token and an
 * {@code X-Request-ID}, parses the JSON answer and turns failures into {@link SchedulerException}s.
 * Transient: connection failures, timeouts, 408, 424 (SSH to the cluster failed), 429 and every
 * 5xx, and a success answer whose body is not the JSON expected. Other 4xx are not transient and
 * carry the server's message from its error body ({@code errorType}, {@code message},
 * {@code causedBy}, {@code data.fields}). A 429 or 503 carries the wait the answer asks for
 * ({@link RetryAfter}); a 429 that names none waits {@value #RATE_LIMITED_SECONDS} s, as pyfirecrest
 * does. Tokens never appear in messages.
 */
final class FirecrestClient {

    private static final int MAX_SERVER_TEXT = 500;
    /** pyfirecrest's wait after a 429 without {@code Retry-After} or {@code RateLimit-Reset}. */
    static final int RATE_LIMITED_SECONDS = 10;

    private final String base;
    private final Duration timeout;
    private final ObjectMapper json;
    private final HttpClient http;

    FirecrestClient(URI base, Duration timeout, ObjectMapper json) {
        this.base = base.toString().replaceAll("/+$", "");
        this.timeout = timeout;
        this.json = json;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    }

    /** An answer with a 2xx status; {@code body} is a missing node when the answer had none. */
    record Answer(String what, int status, JsonNode body) {

        /** The body, which must be a JSON object (transient failure otherwise). */
        JsonNode object() {
            if (!body.isObject()) {
                throw unexpected(what, "the body is not a JSON object (HTTP " + status + ")");
            }
            return body;
        }
    }

    /** A path segment, percent-encoded. */
    static String segment(String value) {
        return encode(value);
    }

    /**
     * Sends one request. {@code query} values are percent-encoded here; {@code body}, when not
     * null, is sent as JSON. Returns only 2xx answers, throws for everything else.
     */
    Answer send(String method, String path, Map<String, String> query, String token, JsonNode body) {
        String requestId = UUID.randomUUID().toString();
        String what = method + " " + path;
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path + queryString(query)))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("X-Request-ID", requestId);
        if (body != null) {
            rb.header("Content-Type", "application/json");
            rb.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> response;
        try {
            response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpTimeoutException e) {
            throw new SchedulerException("FirecREST " + what + " timed out after " + timeout.toMillis() + " ms"
                    + tag(requestId), true, e);
        } catch (IOException e) {
            throw new SchedulerException("FirecREST " + what + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()) + tag(requestId), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("FirecREST " + what + " interrupted" + tag(requestId), true, e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Answer(what, status, parse(response.body(), what, status, requestId));
        }
        throw failure(what, status, response.body(), requestId, waitAskedFor(status, response.headers()));
    }

    /** A success answer that does not have the shape the API documents. */
    static SchedulerException unexpected(String what, String problem) {
        return new SchedulerException("FirecREST " + what + " sent an unexpected answer: " + problem, true);
    }

    private JsonNode parse(String text, String what, int status, String requestId) {
        if (text == null || text.isBlank()) {
            return MissingNode.getInstance();
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            // Never the parser's own message: it may quote the body, and callers show this text.
            throw new SchedulerException("FirecREST " + what + " answered HTTP " + status
                    + " with a body that is not valid JSON" + tag(requestId), true, e);
        }
    }

    /** The wait a 429 or 503 asks for; null for other statuses or when a 503 names none. */
    private static Duration waitAskedFor(int status, HttpHeaders headers) {
        if (status != 429 && status != 503) {
            return null;
        }
        Optional<Duration> asked = RetryAfter.from(headers, Instant.now());
        return asked.orElse(status == 429 ? Duration.ofSeconds(RATE_LIMITED_SECONDS) : null);
    }

    private FirecrestHttpException failure(String what, int status, String text, String requestId, Duration retryAfter) {
        boolean retry = status >= 500 || status == 408 || status == 424 || status == 429;
        String detail;
        JsonNode error = readError(text);
        if (error != null) {
            detail = describe(error);
        } else if (status >= 300 && status < 400) {
            detail = "unexpected redirect";
        } else {
            detail = "no FirecREST error body";
        }
        return new FirecrestHttpException("FirecREST " + what + " answered HTTP " + status + ": " + detail
                + (retryAfter == null ? "" : "; asked to wait " + retryAfter.toSeconds() + " s") + tag(requestId), status,
                retry, retryAfter);
    }

    private JsonNode readError(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode node = json.readTree(text);
            return node != null && node.path("message").isTextual() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /** The v2 error body in one line: message, then validation fields, then the causes. */
    private static String describe(JsonNode error) {
        StringBuilder sb = new StringBuilder(error.path("message").asText());
        List<String> fields = new ArrayList<>();
        for (JsonNode f : error.path("data").path("fields")) {
            String where = f.path("name").isTextual() ? f.path("name").asText() : f.path("location").asText("");
            fields.add((where.isEmpty() ? "" : where + ": ") + f.path("message").asText(""));
        }
        if (!fields.isEmpty()) {
            sb.append(" (").append(String.join("; ", fields)).append(')');
        }
        for (JsonNode cause : error.path("causedBy")) {
            String c = cause.asText("");
            if (!c.isBlank() && sb.indexOf(c) < 0) {
                sb.append("; caused by: ").append(c);
            }
        }
        String s = sb.toString().replaceAll("\\s+", " ").trim();
        return s.length() > MAX_SERVER_TEXT ? s.substring(0, MAX_SERVER_TEXT) + "..." : s;
    }

    private static String tag(String requestId) {
        return " [X-Request-ID " + requestId + "]";
    }

    private static String queryString(Map<String, String> query) {
        if (query == null || query.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        query.forEach((k, v) -> sb.append(sb.length() == 0 ? '?' : '&').append(encode(k)).append('=').append(encode(v)));
        return sb.toString();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
