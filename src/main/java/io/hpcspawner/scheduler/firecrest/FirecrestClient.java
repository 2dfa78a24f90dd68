package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.hpcspawner.scheduler.RetryAfter;
import io.hpcspawner.spawn.port.SchedulerException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import io.hpcspawner.http.BoundedHttp;
import io.hpcspawner.http.HeldBody;
import io.hpcspawner.scheduler.JobListing;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * HTTP and error translation for FirecREST (v1 and v2): sends one request with a bearer token, an
 * {@code X-Request-ID} and a timeout, parses the JSON answer and turns failures into
 * {@link SchedulerException}s. Transient: connection failures, timeouts, 408, 424 (SSH to the
 * cluster failed), 429 and every 5xx, and a success answer whose body is not the JSON expected.
 * Other 4xx are not transient. The server's own words come from the version's
 * {@link ErrorDialect}: v2's error body, or v1's error headers and body. A 429 or 503 carries the
 * wait the answer asks for ({@link RetryAfter}); a 429 that names none waits
 * {@value #RATE_LIMITED_SECONDS} s, as pyfirecrest does. A 401 (the token refused, e.g. it had
 * under FirecREST's 30 s left by FirecREST's clock) renews the token and sends the request once
 * more; FirecREST checks the token before it acts, so even a submit is safe to send again. A second
 * 401 is a real refusal. Tokens never appear in messages.
 */
final class FirecrestClient {

    private static final Logger LOG = Logger.getLogger(FirecrestClient.class);
    static final int MAX_SERVER_TEXT = 500;
    /** pyfirecrest's wait after a 429 without {@code Retry-After} or {@code RateLimit-Reset}. */
    static final int RATE_LIMITED_SECONDS = 10;

    private final String base;
    private final Duration timeout;
    private final ObjectMapper json;
    private final ErrorDialect dialect;
    private final BoundedHttp http;

    FirecrestClient(URI base, Duration timeout, ObjectMapper json, ErrorDialect dialect) {
        this.base = base.toString().replaceAll("/+$", "");
        this.timeout = timeout;
        this.json = json;
        this.dialect = dialect;
        this.http = new BoundedHttp(timeout);
    }

    /** How one FirecREST version words its errors. */
    interface ErrorDialect {

        /** The server's words in an error body, or empty when the body is not this version's error shape. */
        Optional<String> words(JsonNode body);

        /** An error signalled by a response header (v1 does this), or empty. */
        default Optional<HeaderError> headerError(HttpHeaders headers) {
            return Optional.empty();
        }
    }

    /**
     * An error a header names: {@code header} and the server's {@code value}, whether retrying may
     * help, and what the person reading the message can do about it.
     */
    record HeaderError(String header, String value, boolean transientFailure, String advice) {
    }

    /** A request body with its content type. */
    record Body(String contentType, byte[] bytes) {
        static Body json(JsonNode node) {
            return new Body("application/json", node.toString().getBytes(StandardCharsets.UTF_8));
        }
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

    /** Sends one request with a JSON body (or none); see {@link #send(String, String, Map, Bearer, Map, Body)}. */
    Answer send(String method, String path, Map<String, String> query, Bearer bearer, JsonNode body) {
        return send(method, path, query, bearer, Map.of(), body == null ? null : Body.json(body));
    }

    /**
     * Sends one request. {@code query} values are percent-encoded here; {@code headers} are added
     * as given. Returns only 2xx answers, throws for everything else.
     */
    Answer send(String method, String path, Map<String, String> query, Bearer bearer, Map<String, String> headers,
            Body body) {
        Reply reply = respond(method, path, query, bearer, headers, body);
        return new Answer(reply.what(), reply.status(), parse(reply));
    }

    /**
     * {@code GET path} read as a job listing ({@link JobListing}): each entry of its {@code jobs}
     * handed to {@code eachJob} as it is read, with only {@code jobFields}, so the answer is never
     * held as a tree. Errors as for {@link #send}; a 2xx body that is not JSON is transient.
     */
    JobListing.Rest listing(String path, Map<String, String> query, Bearer bearer, Set<String> jobFields,
            Consumer<JsonNode> eachJob) {
        Reply reply = respond("GET", path, query, bearer, Map.of(), null);
        try {
            return JobListing.read(reply.body().isEmpty() ? InputStream.nullInputStream() : reply.body().stream(), json,
                    jobFields, eachJob);
        } catch (IOException e) {
            throw notJson(reply, e);
        }
    }

    /** A 2xx answer as it arrived, and the id of the request that got it. */
    private record Reply(String what, int status, HeldBody body, String requestId) {
    }

    /** Sends one request (once more with a renewed token after a 401); only 2xx answers return. */
    private Reply respond(String method, String path, Map<String, String> query, Bearer bearer,
            Map<String, String> headers, Body body) {
        String what = method + " " + path;
        String token = bearer.token();
        String requestId = UUID.randomUUID().toString();
        HttpResponse<HeldBody> response = exchange(what, path, query, token, headers, body, requestId);
        if (response.statusCode() == 401) {
            LOG.infof("FirecREST %s refused the token (HTTP 401) [X-Request-ID %s]: renewing it and sending once more",
                    what, requestId);
            token = bearer.renewed(token);
            requestId = UUID.randomUUID().toString();
            response = exchange(what, path, query, token, headers, body, requestId);
        }
        int status = response.statusCode();
        Optional<HeaderError> headerError = dialect.headerError(response.headers());
        // v1 signals some errors only by header; the header wins over the status (as pyfirecrest does).
        if (headerError.isPresent()) {
            throw headerFailure(what, status, headerError.get(), text(response.body()), requestId,
                    waitAskedFor(status, response.headers()));
        }
        if (status >= 200 && status < 300) {
            return new Reply(what, status, response.body(), requestId);
        }
        throw failure(what, status, text(response.body()), requestId, waitAskedFor(status, response.headers()));
    }

    /** An error answer's body as text (error bodies are small; a listing's body never becomes a string). */
    private static String text(HeldBody body) {
        try (InputStream in = body.stream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private HttpResponse<HeldBody> exchange(String what, String path, Map<String, String> query, String token,
            Map<String, String> headers, Body body, String requestId) {
        String method = what.substring(0, what.indexOf(' '));
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path + queryString(query)))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("X-Request-ID", requestId);
        headers.forEach(rb::header);
        if (body != null) {
            rb.header("Content-Type", body.contentType());
            rb.method(method, HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return http.send(rb.build(), HeldBody.handler());
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
    }

    /** A success answer that does not have the shape the API documents. */
    static SchedulerException unexpected(String what, String problem) {
        return new SchedulerException("FirecREST " + what + " sent an unexpected answer: " + problem, true);
    }

    /** Server text cut to one line of reasonable length. */
    static String clip(String text) {
        String s = text == null ? "" : text.replaceAll("\\s+", " ").trim();
        return s.length() > MAX_SERVER_TEXT ? s.substring(0, MAX_SERVER_TEXT) + "..." : s;
    }

    /** Statuses after which the same call may succeed later. */
    static boolean transientStatus(int status) {
        return status >= 500 || status == 408 || status == 424 || status == 429;
    }

    private JsonNode parse(Reply reply) {
        if (reply.body().isEmpty()) {
            return MissingNode.getInstance();
        }
        try {
            JsonNode read = json.readTree(reply.body().stream());
            return read == null ? MissingNode.getInstance() : read;
        } catch (IOException e) {
            throw notJson(reply, e);
        }
    }

    /** Never the parser's own message: it may quote the body, and callers show this text. */
    private static SchedulerException notJson(Reply reply, IOException e) {
        return new SchedulerException("FirecREST " + reply.what() + " answered HTTP " + reply.status()
                + " with a body that is not valid JSON" + tag(reply.requestId()), true, e);
    }

    /** The wait a 429 or 503 asks for; null for other statuses or when a 503 names none. */
    private static Duration waitAskedFor(int status, HttpHeaders headers) {
        if (status != 429 && status != 503) {
            return null;
        }
        Optional<Duration> asked = RetryAfter.from(headers, Instant.now());
        return asked.orElse(status == 429 ? Duration.ofSeconds(RATE_LIMITED_SECONDS) : null);
    }

    private static String waitNote(Duration retryAfter) {
        return retryAfter == null ? "" : "; asked to wait " + retryAfter.toSeconds() + " s";
    }

    private FirecrestHttpException headerFailure(String what, int status, HeaderError error, String text,
            String requestId, Duration retryAfter) {
        StringBuilder sb = new StringBuilder("FirecREST " + what + " answered HTTP " + status + " with "
                + error.header());
        String value = clip(error.value());
        if (!value.isEmpty()) {
            sb.append(" (").append(value).append(')');
        }
        readError(text).filter(w -> !w.equals(value)).ifPresent(w -> sb.append(": ").append(w));
        sb.append(". ").append(error.advice());
        return new FirecrestHttpException(sb + waitNote(retryAfter) + tag(requestId), status, error.transientFailure(),
                error.header(), retryAfter);
    }

    private FirecrestHttpException failure(String what, int status, String text, String requestId, Duration retryAfter) {
        String detail = readError(text)
                .orElse(status >= 300 && status < 400 ? "unexpected redirect" : "no FirecREST error body");
        return new FirecrestHttpException("FirecREST " + what + " answered HTTP " + status + ": " + detail
                + waitNote(retryAfter) + tag(requestId), status, transientStatus(status), "", retryAfter);
    }

    private Optional<String> readError(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode node = json.readTree(text);
            return node == null ? Optional.empty() : dialect.words(node).map(FirecrestClient::clip)
                    .filter(s -> !s.isEmpty());
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
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
