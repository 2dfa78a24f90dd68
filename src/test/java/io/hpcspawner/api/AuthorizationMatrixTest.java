package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.JupyterHubStandIn;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every route of {@code docs/openapi.yaml} against every kind of credential, with the answer each
 * must get. The routes come from the document, so a new route without a row here fails the test.
 * The owner is alice; JupyterHub is a stand-in answering {@code GET /hub/api/user}.
 */
@QuarkusTest
@TestProfile(AuthorizationMatrixTest.Profile.class)
class AuthorizationMatrixTest {

    /** The credential a cell sends. */
    enum Credential {
        NONE("no credential"),
        MALFORMED("a malformed header"),
        UNKNOWN("an unknown token"),
        OTHER_USER("another user's token (bob)"),
        OWNER_STATIC("the owner's static token"),
        OWNER_HUB_NO_SCOPE("the owner's JupyterHub token without the scope"),
        OWNER_HUB_SCOPED("the owner's JupyterHub token with the scope"),
        HUB("the hub's token"),
        OTHER_START_SECRET("another start's secret"),
        START_SECRET("the start's secret");

        final String label;

        Credential(String label) {
            this.label = label;
        }
    }

    // Expected status per route, in the order of Credential. 2xx: the call did what it is for
    // (create answers 200: the same startId again is idempotent); 401: not authenticated;
    // 403: authenticated, not allowed. The health check is not configured in this profile: the hub
    // is let through and told so (409 health_check_not_configured; 404 no_health_check before a run).
    private static final String EXPECTED = """
            route                                              none malf unkn  bob  own noscope scoped hub other secret
            GET    /api/v1/admin/health-check                   401  401  401  403  403  403   403   404  401   401
            POST   /api/v1/admin/health-check                   401  401  401  403  403  403   403   409  401   401
            GET    /api/v1/admin/orphans                        401  401  401  403  403  403   403   200  401   401
            POST   /api/v1/admin/orphans/release                401  401  401  403  403  403   403   200  401   401
            POST   /api/v1/callback/{serverId}                  401  401  401  401  401  401   401   401  401   204
            GET    /api/v1/servers                              401  401  401  403  403  403   403   200  401   401
            PUT    /api/v1/users/{user}/login                   401  401  401  403  204  403   204   204  401   401
            GET    /api/v1/users/{user}/options-form            401  401  401  403  200  403   200   200  401   401
            POST   /api/v1/users/{user}/server                  401  401  401  403  200  403   200   200  401   401
            GET    /api/v1/users/{user}/server                  401  401  401  403  200  403   200   200  401   401
            DELETE /api/v1/users/{user}/server                  401  401  401  403  202  403   202   202  401   401
            GET    /api/v1/users/{user}/server/events           401  401  401  403  200  403   200   200  401   401
            GET    /api/v1/users/{user}/server/log              401  401  401  403  200  403   200   200  401   401
            GET    /api/v1/users/{user}/servers                 401  401  401  403  200  403   200   200  401   401
            POST   /api/v1/users/{user}/servers/{server}        401  401  401  403  200  403   200   200  401   401
            GET    /api/v1/users/{user}/servers/{server}        401  401  401  403  200  403   200   200  401   401
            DELETE /api/v1/users/{user}/servers/{server}        401  401  401  403  202  403   202   202  401   401
            GET    /api/v1/users/{user}/servers/{server}/events 401  401  401  403  200  403   200   200  401   401
            GET    /api/v1/users/{user}/servers/{server}/log    401  401  401  403  200  403   200   200  401   401
            """;

    static final String HUB_TOKEN = "test-hub-token-0123456789abcdef0123456789";
    static final String SCOPED = "alice-jupyterhub-token-with-scope";
    static final String NO_SCOPE = "alice-jupyterhub-token-notebook";

    /** The test's own store, and a stand-in JupyterHub that knows alice's two tokens. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hpcspawner.store.directory", "target/test-store-matrix");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(StandInHub.class));
        }
    }

    /** A stand-in JupyterHub that knows two tokens of alice, one with the service's scope and one without. */
    public static class StandInHub implements QuarkusTestResourceLifecycleManager {
        private final JupyterHubStandIn hub = new JupyterHubStandIn();

        @Override
        public Map<String, String> start() {
            try (Stream<Path> old = Files.exists(Path.of("target/test-store-matrix"))
                    ? Files.walk(Path.of("target/test-store-matrix")) : Stream.empty()) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            hub.start();
            hub.knows(SCOPED, "alice", "custom:hpcspawner:servers!user=alice", "access:servers!user=alice");
            hub.knows(NO_SCOPE, "alice", "access:servers!server=alice/", "users:activity!user=alice");
            return Map.of("hpcspawner.auth.jupyterhub-api-url", hub.apiUrl(),
                    "hpcspawner.auth.token-checks-per-second", "1000", "hpcspawner.auth.token-checks-burst", "1000");
        }

        @Override
        public void stop() {
            hub.stop();
        }
    }

    @Inject
    FakeScheduler slurm;

    /** What the fixtures left: alice's default and named servers (ended) and a start waiting for its ready signal. */
    private record Fixtures(String defaultStart, String namedServer, String namedStart, String waitingId,
            String waitingSecret, String otherSecret) {
    }

    @TestFactory
    Stream<DynamicTest> everyRouteAgainstEveryCredential() {
        Map<String, int[]> expected = parse(EXPECTED);
        assertThat(expected.keySet()).as("routes in docs/openapi.yaml without a row in the matrix, or rows of"
                + " routes that are gone").containsExactlyInAnyOrderElementsOf(routes());
        Fixtures f = fixtures();
        List<DynamicTest> cells = new ArrayList<>();
        expected.forEach((route, statuses) -> {
            for (Credential c : Credential.values()) {
                int want = statuses[c.ordinal()];
                cells.add(DynamicTest.dynamicTest(route + " with " + c.label + " -> " + want, () -> {
                    Response r = call(route, c, f);
                    assertThat(r.statusCode()).as(route + " with " + c.label + ": " + r.asString()).isEqualTo(want);
                    if (want == 401 || want == 403) {
                        assertThat(r.jsonPath().getString("error")).isIn("unauthorized", "forbidden", "missing_scope");
                    }
                }));
            }
        });
        return cells.stream();
    }

    /** Every {@code METHOD path} of the checked-in OpenAPI document. */
    static TreeSet<String> routes() {
        try {
            JsonNode paths = new ObjectMapper(new YAMLFactory()).readTree(Path.of("docs/openapi.yaml").toFile()).path("paths");
            TreeSet<String> routes = new TreeSet<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> path = it.next();
                path.getValue().fieldNames().forEachRemaining(method -> {
                    if (List.of("get", "put", "post", "delete", "patch", "head", "options").contains(method)) {
                        routes.add(method.toUpperCase() + " " + path.getKey());
                    }
                });
            }
            return routes;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, int[]> parse(String table) {
        Map<String, int[]> rows = new LinkedHashMap<>();
        table.lines().skip(1).filter(l -> !l.isBlank()).forEach(line -> {
            String[] cells = line.trim().split("\\s+");
            assertThat(cells).as("row: " + line).hasSize(2 + Credential.values().length);
            rows.put(cells[0] + " " + cells[1], Arrays.stream(cells, 2, cells.length).mapToInt(Integer::parseInt).toArray());
        });
        return rows;
    }

    private Response call(String route, Credential c, Fixtures f) {
        String method = route.substring(0, route.indexOf(' '));
        String path = route.substring(route.indexOf(' ') + 1).replace("{user}", "alice")
                .replace("{server}", f.namedServer()).replace("{serverId}", f.waitingId());
        RequestSpecification request = given().redirects().follow(false);
        String header = switch (c) {
            case NONE -> null;
            case MALFORMED -> "Basic YWxpY2U6aHBjc3Bhd25lcg==";
            case UNKNOWN -> "Bearer unknown-token-0000000000000000";
            case OTHER_USER -> "Bearer test-bob-token";
            case OWNER_STATIC -> "Bearer test-alice-token";
            case OWNER_HUB_NO_SCOPE -> "token " + NO_SCOPE;
            case OWNER_HUB_SCOPED -> "token " + SCOPED;
            case HUB -> "Bearer " + HUB_TOKEN;
            case OTHER_START_SECRET -> "Bearer " + f.otherSecret();
            case START_SECRET -> "Bearer " + f.waitingSecret();
        };
        if (header != null) {
            request = request.header("Authorization", header);
        }
        Object body = switch (route) {
            case "POST /api/v1/callback/{serverId}" -> Map.of("host", "nid001", "port", 50123);
            case "POST /api/v1/admin/orphans/release" -> Map.of();
            case "PUT /api/v1/users/{user}/login" -> Map.of("refreshToken", "refresh-token-of-alice");
            case "POST /api/v1/users/{user}/server" -> Map.of("startId", f.defaultStart());
            case "POST /api/v1/users/{user}/servers/{server}" -> Map.of("startId", f.namedStart());
            default -> null;
        };
        if (body != null) {
            request = request.contentType(ContentType.JSON).body(body);
        }
        return request.request(method, path);
    }

    /** Alice's default and named servers, started and stopped; a third start of hers waits for its ready signal. */
    private Fixtures fixtures() {
        String run = Long.toString(System.nanoTime(), 36);
        String defaultStart = "matrix-default-" + run;
        String namedStart = "matrix-named-" + run;
        String named = "m" + run;
        startAndWait("", defaultStart);
        FakeScheduler.Job namedJob = startAndWait(named, namedStart);
        for (String p : List.of("/api/v1/users/alice/server", "/api/v1/users/alice/servers/" + named)) {
            given().header("Authorization", "Bearer " + HUB_TOKEN).delete(p).then().statusCode(202);
            await().atMost(Duration.ofSeconds(10)).until(() -> "stopped".equals(
                    given().header("Authorization", "Bearer " + HUB_TOKEN).get(p).jsonPath().getString("state")));
        }
        String waiting = "cb" + run;
        FakeScheduler.Job waitingJob = startAndWait(waiting, "matrix-cb-" + run);
        slurm.run(waitingJob, "nid001");
        String waitingPath = "/api/v1/users/alice/servers/" + waiting;
        await().atMost(Duration.ofSeconds(10)).until(() -> "starting".equals(
                given().header("Authorization", "Bearer " + HUB_TOKEN).get(waitingPath).jsonPath().getString("state")));
        String waitingId = given().header("Authorization", "Bearer " + HUB_TOKEN).get(waitingPath).jsonPath().getString("id");
        return new Fixtures(defaultStart, named, namedStart, waitingId, secretOf(waitingJob), secretOf(namedJob));
    }

    private FakeScheduler.Job startAndWait(String server, String startId) {
        String path = server.isEmpty() ? "/api/v1/users/alice/server" : "/api/v1/users/alice/servers/" + server;
        String serverId = given().header("Authorization", "Bearer " + HUB_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("startId", startId)).post(path).then().statusCode(202).extract().jsonPath().getString("id");
        return await().atMost(Duration.ofSeconds(10)).until(() -> slurm.jobs.values().stream()
                .filter(j -> j.submission.name().endsWith("-" + serverId)).findFirst().orElse(null), j -> j != null);
    }

    /** The start secret the job was given (in its script body). */
    private static String secretOf(FakeScheduler.Job job) {
        return io.hpcspawner.support.JobScripts.startSecret(job.submission.script());
    }
}
