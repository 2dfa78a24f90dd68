package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.api.FuzzRequests.FuzzRequest;
import io.hpcspawner.api.OpenApiRoutes.Operation;
import io.hpcspawner.api.RawHttp.Answer;
import io.hpcspawner.support.FakeScheduler;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP fuzzing over every route of {@code docs/openapi.yaml}: malformed and mistyped JSON, huge
 * and empty bodies, wrong content types, path tricks and bad headers, with the hub's credential
 * (so validation is reached) and with none. Every request must get an answer within
 * {@link #ANSWER_WITHIN}, never a 5xx, and every 4xx must carry the documented JSON error body.
 * The seed is printed; rerun a failure with {@code -Dfuzz.seed=N}.
 */
@QuarkusTest
class HttpFuzzTest {

    static final String HUB = ServerApiTest.HUB;
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
    static final String USER = "fuzzer";
    static final String SERVER = "fz1";
    static final String START = "fuzz-start-0001";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    FakeScheduler slurm;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    String serverId;

    @BeforeEach
    void serversToAimAt() {
        slurm.reset();
        Map<String, Object> body = Map.of("startId", START, "options", Map.of("profile", "small"));
        given().header("Authorization", HUB).contentType(ContentType.JSON).body(body)
                .post("/api/v1/users/" + USER + "/server").then().statusCode(org.hamcrest.Matchers.oneOf(200, 202));
        serverId = given().header("Authorization", HUB).contentType(ContentType.JSON).body(body)
                .post("/api/v1/users/" + USER + "/servers/" + SERVER).then()
                .statusCode(org.hamcrest.Matchers.oneOf(200, 202)).extract().path("id");
    }

    @AfterEach
    void stopThem() {
        List<String> names = given().header("Authorization", HUB).get("/api/v1/users/" + USER + "/servers").then()
                .statusCode(200).extract().path("server");
        for (String name : names) {
            given().header("Authorization", HUB).delete("/api/v1/users/" + USER
                    + (name.isEmpty() ? "/server" : "/servers/" + name));
        }
    }

    @Test
    void everyRouteAnswersBadRequestsInTimeWithAClearClientError() {
        long seed = Long.getLong("fuzz.seed", 20261202L);
        OpenApiRoutes routes = OpenApiRoutes.read();
        List<Operation> operations = routes.operations();
        assertThat(operations).as("operations read from %s", OpenApiRoutes.DOCUMENT).hasSizeGreaterThanOrEqualTo(13);
        FuzzRequests fuzz = new FuzzRequests(seed, HUB, Map.of("user", USER, "server", SERVER, "serverId", serverId),
                Map.of("startId", START, "options", Map.of("profile", "small"),
                        "environment", Map.of("JUPYTERHUB_SERVICE_PREFIX", "/user/fuzzer/"),
                        "host", "nid001", "port", 45000, "accessToken", "fuzz-access", "refreshToken", "fuzz-refresh"));
        List<FuzzRequest> requests = new ArrayList<>();
        operations.forEach(op -> requests.addAll(fuzz.forOperation(op)));
        for (String path : routes.paths()) {
            requests.addAll(fuzz.undeclaredMethods(path,
                    operations.stream().filter(o -> o.template().equals(path)).map(Operation::method).toList()));
        }

        RawHttp http = new RawHttp("127.0.0.1", port, ANSWER_WITHIN);
        LoggedErrors logged = new LoggedErrors();
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        long slowest = 0;
        StringBuilder log = new StringBuilder();
        int loggedBefore = 0;
        for (FuzzRequest r : requests) {
            Answer a = http.send(r.method(), r.target(), r.headers(), r.body());
            log.append(a.status()).append(' ').append(r.method()).append(' ').append(cut(r.target(), 100)).append(" [")
                    .append(r.kind()).append("] ").append(cut(a.body(), 160)).append('\n');
            statuses.merge(a.status(), 1, Integer::sum);
            slowest = Math.max(slowest, a.millis());
            String problem = !r.validHttp() ? refusedByTheDecoder(a)
                    : cutOffWhileStreamed(r, a) ? null : problem(r.method(), a);
            if (problem == null && logged.errors().size() > loggedBefore) {
                problem = "the service logged " + logged.errors().get(logged.errors().size() - 1);
            }
            loggedBefore = logged.errors().size();
            if (problem != null) {
                failures.add(r.method() + " " + cut(r.target(), 120) + " [" + r.kind() + "]: " + problem);
            }
        }
        writeLog(log);
        logged.close();
        System.out.printf("HTTP fuzz (seed %d): %d requests over %d operations in %.1f s, slowest %d ms; statuses %s%n",
                seed, requests.size(), operations.size(), (System.nanoTime() - started) / 1e9, slowest, statuses);
        assertThat(failures).as("requests answered badly (seed %d), %d in all; the first ones", seed, failures.size())
                .isEmpty();
        assertThat(logged.errors()).as("unexpected failures the service logged (seed %d)", seed).isEmpty();
    }

    /**
     * Found by the fuzzer: a client that reads an event stream's head and leaves made the catch-up
     * send into a closed sink, an IllegalStateException logged as an unexpected failure (a 500).
     */
    @Test
    void clientsThatLeaveAnEventStreamAtOnceCauseNoServerError() {
        RawHttp http = new RawHttp("127.0.0.1", port, ANSWER_WITHIN);
        try (LoggedErrors logged = new LoggedErrors()) {
            for (int i = 0; i < 40; i++) {
                Answer a = http.send("GET", "/api/v1/users/" + USER + "/servers/" + SERVER + "/events",
                        RawHttp.headers("Authorization", HUB), null);
                assertThat(a.status()).isEqualTo(200);
            }
            given().header("Authorization", HUB).get("/api/v1/users/" + USER + "/servers").then().statusCode(200);
            assertThat(logged.errors()).isEmpty();
        }
    }

    /** Every request and its answer, for reading after a run: target/http-fuzz.log. */
    private static void writeLog(CharSequence log) {
        try {
            java.nio.file.Files.write(java.nio.file.Path.of("target/http-fuzz.log"),
                    log.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * What is wrong with the answer to a request that is not valid HTTP (or over the header
     * limits), or null: the connection's decoder refuses those before any route, with a bare
     * 400, 414 or 431; an answer from the API is fine too.
     */
    static String refusedByTheDecoder(Answer a) {
        if (a.status() >= 400 && a.status() <= 431 && (a.body().isEmpty() || problem("GET", a) == null)) {
            return null;
        }
        return a.status() == -1 ? "no answer within " + ANSWER_WITHIN.toSeconds() + " s: " + a.failure()
                : "invalid HTTP answered " + a.status() + " " + cut(a.body(), 200);
    }

    /**
     * A chunked body over the 1 MiB limit is cut off by Quarkus REST's body reader, which answers
     * 413 itself with no body and closes the connection: there is no hook to give it the JSON
     * body (a declared Content-Length over the limit gets it, from {@link HttpLayerErrors}).
     */
    static boolean cutOffWhileStreamed(FuzzRequest r, Answer a) {
        return a.status() == 413 && a.body().isEmpty() && r.body() != null && r.body().length > 1024 * 1024
                && r.headers().stream().anyMatch(h -> h.name().equals("Transfer-Encoding"));
    }

    /** What is wrong with this answer, or null. */
    static String problem(String method, Answer a) {
        if (a.status() == -1) {
            return "no answer within " + ANSWER_WITHIN.toSeconds() + " s: " + a.failure();
        }
        if (a.status() >= 500) {
            return "server error " + a.status() + " " + cut(a.body(), 300);
        }
        if (a.status() < 400 || method.equals("HEAD")) {
            return null;
        }
        String type = a.header("Content-Type");
        if (type == null || !type.startsWith("application/json")) {
            return a.status() + " without a JSON error body (Content-Type " + type + "): " + cut(a.body(), 200);
        }
        try {
            JsonNode body = JSON.readTree(a.body());
            if (!body.path("error").isTextual() || body.path("error").asText().isBlank()
                    || !body.path("message").isTextual() || body.path("message").asText().isBlank()) {
                return a.status() + " whose body lacks error/message: " + cut(a.body(), 200);
            }
        } catch (Exception e) {
            return a.status() + " with a body that is not JSON: " + cut(a.body(), 200);
        }
        return null;
    }

    static String cut(String s, int max) {
        String shown = s.length() > max ? s.substring(0, max) + "...(" + s.length() + " chars)" : s;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
