package io.hpcspawner.scheduler.firecrest;

import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.hpcspawner.scheduler.firecrest.FirecrestDoubles.firecrest;
import static io.hpcspawner.scheduler.firecrest.FirecrestDoubles.jwt;
import static io.hpcspawner.scheduler.firecrest.FirecrestDoubles.keycloak;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.hpcspawner.support.ManagementPort;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service with {@code backend=firecrest-v2}: the hub passes the user's Keycloak login with the
 * create, submits and cancels act as the user, polling acts as the service account, an ended
 * session reaches the user as "log in again". FirecREST is WireMock (every exchange validated
 * against the official document); Keycloak's token endpoint is a second WireMock here (the real
 * Keycloak is exercised by KeycloakTokensIT and the end-to-end suite).
 */
@QuarkusTest
@TestProfile(FirecrestBackendTest.Profile.class)
class FirecrestBackendTest {

    @TestHTTPResource(value = "/", management = true)
    URL management;

    /** The real composition root with a FirecREST system, against the doubles. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("test.fake-scheduler", "false", "hpcspawner.watch.gone-grace", "60s",
                    "hpcspawner.keycloak.token-margin", "30s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(FirecrestDoubles.class));
        }
    }

    static final String HUB = "Bearer test-hub-token-0123456789abcdef0123456789";
    static final String TOKEN_PATH = "/realms/hpc/protocol/openid-connect/token";
    static final String JOBS = "/compute/daint/jobs";
    static final String SERVICE_TOKEN = "service-account-token";
    static final AtomicInteger USERS = new AtomicInteger();
    static final ObjectMapper JSON = new ObjectMapper();

    final List<SpecValidator.Excuse> excuses = new ArrayList<>();
    String user;

    @BeforeEach
    void fresh() {
        user = "fc" + USERS.incrementAndGet() + "x" + System.nanoTime() % 10000;
        firecrest.resetAll();
        keycloak.resetAll();
        keycloak.stubFor(post(TOKEN_PATH).withRequestBody(containing("grant_type=client_credentials"))
                .willReturn(json(200, "{\"access_token\":\"" + SERVICE_TOKEN + "\",\"expires_in\":300,\"token_type\":\"Bearer\"}")));
        listing();
        firecrest.stubFor(delete(urlPathMatching(JOBS + "/[0-9]+")).willReturn(aResponse().withStatus(204)));
    }

    @AfterEach
    void everyFirecrestExchangeFollowsTheSpec() {
        assertThat(SpecValidator.V2.problems(firecrest.getAllServeEvents(), excuses)).isEmpty();
    }


    /** What FirecREST lists for every user: the given jobs. */
    static void listing(com.fasterxml.jackson.databind.node.ObjectNode... jobs) {
        firecrest.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, JobModelBodies.jobs(jobs))));
    }

    static String accessToken(String user, Duration life) {
        long now = Instant.now().getEpochSecond();
        return jwt("{\"exp\":" + (now + life.toSeconds()) + ",\"iat\":" + now + ",\"preferred_username\":\"" + user + "\"}");
    }

    static String refreshToken(String session, long issuedAt) {
        return jwt("{\"exp\":" + (issuedAt + 1800) + ",\"iat\":" + issuedAt + ",\"sid\":\"" + session + "\",\"typ\":\"Refresh\"}");
    }

    /** A create body for profile {@code fc} with a fresh login of {@code user} (10-minute access token). */
    static Map<String, Object> createBody(String user) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("startId", "start-" + user);
        body.put("options", Map.of("profile", "fc"));
        body.put("environment", Map.of());
        body.put("login", Map.of("accessToken", accessToken(user, Duration.ofMinutes(10)),
                "refreshToken", refreshToken("s" + user, Instant.now().getEpochSecond())));
        return body;
    }

    String path() {
        return "/api/v1/users/" + user + "/servers/lab";
    }

    ValidatableResponse create(Map<String, Object> login) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("startId", "start-" + user);
        body.put("options", Map.of("profile", "fc"));
        body.put("environment", Map.of("JUPYTERHUB_API_TOKEN", "hub-secret-token"));
        if (login != null) {
            body.put("login", login);
        }
        return given().header("Authorization", HUB).contentType(ContentType.JSON).body(body).post(path()).then();
    }

    ValidatableResponse status() {
        return given().header("Authorization", HUB).get(path()).then();
    }

    void awaitState(String state) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> status().body("state", equalTo(state)));
    }

    LoggedRequest submitted() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !firecrest.findAll(postRequestedFor(urlPathEqualTo(JOBS))).isEmpty());
        return firecrest.findAll(postRequestedFor(urlPathEqualTo(JOBS))).get(0);
    }

    static JsonNode job(LoggedRequest submit) throws IOException {
        return JSON.readTree(submit.getBodyAsString()).path("job");
    }

    @Test
    void startActsAsTheUserAndPollingAsTheServiceAccount() throws IOException {
        firecrest.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"4242\"}")));
        String access = accessToken(user, Duration.ofMinutes(10));

        create(Map.of("accessToken", access, "refreshToken", refreshToken("s1", Instant.now().getEpochSecond())))
                .statusCode(202);

        LoggedRequest submit = submitted();
        // The hub's fresh access token is used as it is: no refresh, so no rotation to race with the hub.
        assertThat(submit.getHeader("Authorization")).isEqualTo("Bearer " + access);
        assertThat(keycloak.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH))
                .withRequestBody(containing("grant_type=refresh_token")))).isEmpty();
        JsonNode job = job(submit);
        assertThat(job.path("workingDirectory").asText()).isEqualTo("/users/" + user);
        String name = job.path("name").asText();

        listing(JobModelBodies.withNodes(JobModelBodies.job("4242", name, user, "RUNNING"), "nid[001-002]", 2));
        awaitState("starting");
        firecrest.verify(getRequestedFor(urlPathEqualTo(JOBS)).withHeader("Authorization", WireMock.equalTo("Bearer " + SERVICE_TOKEN))
                .withQueryParam("allusers", WireMock.equalTo("true")));
        String secret = io.hpcspawner.support.JobScripts.startSecret(job.path("script").asText());
        given().header("Authorization", "Bearer " + secret).contentType(ContentType.JSON)
                .body(Map.of("host", "nid001", "port", 51234))
                .post("/api/v1/callback/" + status().extract().path("id")).then().statusCode(204);
        status().body("state", equalTo("running")).body("jobId", equalTo("4242"));

        given().header("Authorization", HUB).delete(path()).then().statusCode(202).body("state", equalTo("stopped"));
        firecrest.verify(deleteRequestedFor(urlPathEqualTo(JOBS + "/4242"))
                .withHeader("Authorization", WireMock.equalTo("Bearer " + access)));
    }

    /**
     * A server whose ready callback never comes is found by its ready line (the 15 s fallback):
     * the output is read as the user, its size asked once, then only the bytes written since.
     */
    @Test
    void aServerWithoutItsCallbackIsFoundByItsReadyLineReadIncrementally() throws IOException {
        firecrest.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"4243\"}")));
        create(Map.of("accessToken", accessToken(user, Duration.ofMinutes(10)), "refreshToken",
                refreshToken("s2", Instant.now().getEpochSecond()))).statusCode(202);
        JsonNode job = job(submitted());
        String output = job.path("standardOutput").asText();
        String first = "module load jupyter\n";
        int next = first.length() + 1;
        firecrest.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/stat")).willReturn(json(200,
                JobModelBodies.stat(first.length()))));
        firecrest.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/tail")).withQueryParam("bytes", WireMock.equalTo("1"))
                .willReturn(json(200, JobModelBodies.fileFrom(first, 1))));
        firecrest.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/tail")).withQueryParam("bytes",
                WireMock.equalTo(Integer.toString(next))).willReturn(json(200, JobModelBodies.fileFrom("", next))));
        listing(JobModelBodies.withNodes(JobModelBodies.job("4243", job.path("name").asText(), user, "RUNNING"), "nid001", 1));
        awaitState("starting");
        String serverId = status().extract().path("id");
        await().atMost(Duration.ofSeconds(30)).until(() ->
                firecrest.findAll(getRequestedFor(urlPathEqualTo("/filesystem/daint/ops/tail"))).size() >= 2);

        String ready = io.hpcspawner.support.JobScripts.readyLine(job.path("script").asText(), serverId, "nid001", 51234);
        firecrest.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/tail")).withQueryParam("bytes",
                WireMock.equalTo(Integer.toString(next))).willReturn(json(200, JobModelBodies.fileFrom(ready + "\n", next))));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> status().body("state", equalTo("running")));

        firecrest.verify(1, getRequestedFor(urlPathEqualTo("/filesystem/daint/ops/stat"))
                .withQueryParam("path", WireMock.equalTo(output)));
        List<LoggedRequest> tails = firecrest.findAll(getRequestedFor(urlPathEqualTo("/filesystem/daint/ops/tail")));
        assertThat(tails).allSatisfy(t -> {
            assertThat(t.queryParameter("skipHeading").firstValue()).isEqualTo("true");
            assertThat(t.queryParameter("lines").isPresent()).isFalse();
            assertThat(t.getHeader("Authorization")).isNotEqualTo("Bearer " + SERVICE_TOKEN);
        });
        assertThat(tails.stream().map(t -> t.queryParameter("bytes").firstValue()).distinct())
                .containsExactlyInAnyOrder("1", Integer.toString(next));
        given().header("Authorization", HUB).delete(path()).then().statusCode(202);
    }

    @Test
    void aShortAccessTokenIsRefreshedAndOnlyTheEncryptedRotatedRefreshTokenIsStored() throws IOException {
        firecrest.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"4343\"}")));
        String first = refreshToken("s2", Instant.now().getEpochSecond() - 10);
        String rotated = refreshToken("s2", Instant.now().getEpochSecond());
        String fresh = accessToken(user, Duration.ofMinutes(5));
        keycloak.stubFor(post(TOKEN_PATH).withRequestBody(containing("grant_type=refresh_token"))
                .withRequestBody(containing("refresh_token=" + first)).withRequestBody(containing("client_id=jupyterhub"))
                .willReturn(json(200, "{\"access_token\":\"" + fresh + "\",\"expires_in\":300,\"refresh_token\":\""
                        + rotated + "\",\"refresh_expires_in\":1800,\"token_type\":\"Bearer\"}")));

        // 30 s left: less than the renewal margin, so the service refreshes before acting.
        create(Map.of("accessToken", accessToken(user, Duration.ofSeconds(30)), "refreshToken", first)).statusCode(202);

        assertThat(submitted().getHeader("Authorization")).isEqualTo("Bearer " + fresh);
        Path stored = Path.of("target/test-logins-firecrest",
                HexFormat.of().formatHex(user.getBytes(StandardCharsets.UTF_8)) + ".login");
        await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(stored));
        String onDisk = Files.readString(stored);
        assertThat(onDisk).isNotBlank().doesNotContain(rotated).doesNotContain(first)
                .doesNotContain(rotated.split("\\.")[1]);
        given().header("Authorization", HUB).delete(path()).then().statusCode(202);
    }

    @Test
    void aStartWithoutALoginIsRefusedBeforeAnythingIsSubmitted() {
        create(null).statusCode(400).body("error", equalTo("login_required")).body("field", equalTo("login"))
                .body("message", containsString("log out and log in again"));
        status().statusCode(404);
        assertThat(firecrest.findAll(postRequestedFor(urlPathEqualTo(JOBS)))).isEmpty();
    }

    @Test
    void anEndedKeycloakSessionFailsTheStartWithALogInAgainMessage() {
        keycloak.stubFor(post(TOKEN_PATH).withRequestBody(containing("grant_type=refresh_token"))
                .willReturn(json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Session not active\"}")));

        create(Map.of("refreshToken", refreshToken("s3", Instant.now().getEpochSecond()))).statusCode(202);

        awaitState("failed");
        status().body("message", equalTo("Your login has expired: log out and log in again (nothing was submitted to fc)"));
        assertThat(firecrest.findAll(postRequestedFor(urlPathEqualTo(JOBS)))).isEmpty();
    }

    @Test
    void aStopThatCannotActAsTheUserStaysStoppingWithTheReasonAndCancelsOnceANewLoginArrives() throws IOException {
        firecrest.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"4444\"}")));
        keycloak.stubFor(post(TOKEN_PATH).withRequestBody(containing("grant_type=refresh_token"))
                .willReturn(json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Session not active\"}")));
        // Fresh for six more seconds (66 s left, renewed 60 s before expiry): enough to submit, even on a busy machine.
        Instant created = Instant.now();
        create(Map.of("accessToken", accessToken(user, Duration.ofSeconds(66)),
                "refreshToken", refreshToken("s4", Instant.now().getEpochSecond()))).statusCode(202);
        String name = job(submitted()).path("name").asText();
        listing(JobModelBodies.job("4444", name, user, "PENDING"));
        awaitState("queued");

        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(created.plusMillis(6500)));
        given().header("Authorization", HUB).delete(path()).then().statusCode(202).body("state", equalTo("stopping"))
                .body("message", containsString("job 4444 could not be cancelled"))
                .body("message", containsString("log out and log in again"));
        assertThat(firecrest.findAll(deleteRequestedFor(urlPathEqualTo(JOBS + "/4444")))).isEmpty();

        // The user logs in again: the hub passes the new login, and the next watcher round cancels.
        firecrest.stubFor(delete(urlPathEqualTo(JOBS + "/4444")).willReturn(aResponse().withStatus(204)));
        keycloak.stubFor(post(TOKEN_PATH).withRequestBody(containing("grant_type=refresh_token"))
                .willReturn(json(200, "{\"access_token\":\"" + accessToken(user, Duration.ofMinutes(5))
                        + "\",\"expires_in\":300,\"token_type\":\"Bearer\"}")));
        given().header("Authorization", HUB).contentType(ContentType.JSON)
                .body(Map.of("refreshToken", refreshToken("s4b", Instant.now().getEpochSecond() + 1)))
                .put("/api/v1/users/" + user + "/login").then().statusCode(204);
        awaitState("stopped");
        assertThat(firecrest.findAll(deleteRequestedFor(urlPathEqualTo(JOBS + "/4444")))).hasSize(1);
    }

    @Test
    void aLoginCanBeHandedOverOnItsOwnAndIsChecked() {
        given().header("Authorization", HUB).contentType(ContentType.JSON).body(Map.of("accessToken", "x"))
                .put("/api/v1/users/" + user + "/login").then().statusCode(400)
                .body("field", equalTo("login.refreshToken"));
        given().header("Authorization", "Bearer test-bob-token").contentType(ContentType.JSON)
                .body(Map.of("refreshToken", refreshToken("s5", 1))).put("/api/v1/users/" + user + "/login")
                .then().statusCode(403);
        given().header("Authorization", HUB).contentType(ContentType.JSON)
                .body(Map.of("refreshToken", refreshToken("s5", Instant.now().getEpochSecond())))
                .put("/api/v1/users/" + user + "/login").then().statusCode(204);
        // Now a create without tokens is accepted: the service holds the login.
        firecrest.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"4545\"}")));
        keycloak.stubFor(post(TOKEN_PATH).withRequestBody(containing("grant_type=refresh_token"))
                .willReturn(json(200, "{\"access_token\":\"" + accessToken(user, Duration.ofMinutes(5))
                        + "\",\"expires_in\":300,\"token_type\":\"Bearer\"}")));
        create(null).statusCode(202);
        submitted();
        given().header("Authorization", HUB).delete(path()).then().statusCode(202);
    }

    @Test
    void anUnhealthyClusterShowsInTheSystemsHealthGroupButNotInReadiness() {
        firecrest.stubFor(get("/status/systems").willReturn(json(200, "{\"systems\": [" + FirecrestV2SchedulerTest.cluster("daint", "["
                + FirecrestV2SchedulerTest.probe("scheduler", false, "slurmctld not responding") + "]") + "]}")));

        given().baseUri(ManagementPort.url(management)).get("/q/health/group/systems").then().statusCode(503).body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'systems' }.data.fc", equalTo("unhealthy: FirecREST reports daint unhealthy: scheduler (slurmctld not responding)"));
        given().baseUri(ManagementPort.url(management)).get("/q/health/ready").then().statusCode(200);
        given().baseUri(ManagementPort.url(management)).get("/q/metrics").then().body(containsString("hpcspawner_system_healthy{system=\"fc\"} 0.0"));
    }
}
