package io.hpcspawner.scheduler.firecrest;

import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.hpcspawner.scheduler.firecrest.FirecrestDoubles.firecrest;
import static io.hpcspawner.scheduler.firecrest.FirecrestDoubles.keycloak;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How many FirecREST calls the watcher makes per poll with 1, 10 and 100 running servers on
 * one system, printed as a benchmark line each: the status of every job comes from one batched
 * listing, so a site's FirecREST load does not grow with its users. Intervals as in the test
 * configuration (slow interval 0.5 s, watcher tick 1 s).
 */
@QuarkusTest
@TestProfile(FirecrestBackendTest.Profile.class)
class FirecrestPollingCostTest {

    static final String HUB = FirecrestBackendTest.HUB;
    static final String JOBS = FirecrestBackendTest.JOBS;
    static final Duration WINDOW = Duration.ofSeconds(3);
    static final ObjectMapper JSON = new ObjectMapper();

    final List<String> paths = new ArrayList<>();

    @AfterEach
    void stopAll() {
        firecrest.stubFor(delete(urlPathMatching(JOBS + "/[0-9]+")).willReturn(aResponse().withStatus(204)));
        paths.forEach(p -> given().header("Authorization", HUB).delete(p).then().statusCode(202));
    }

    @Test
    void callsPerPollIntervalDoNotGrowWithTheNumberOfServers() throws Exception {
        Map<Integer, Integer> inWindow = new LinkedHashMap<>();
        for (int servers : new int[] {1, 10, 100}) {
            inWindow.put(servers, measure(servers));
            stopAll();
            paths.clear();
        }
        StringBuilder report = new StringBuilder();
        inWindow.forEach((n, calls) -> report.append(String.format("BENCH firecrest-v2 polling, %3d running servers: %d FirecREST"
                + " calls in %d s, all of them batched listings (GET /compute/{system}/jobs?allusers=true&time_window=...), i.e. 1 call per poll%n",
                n, calls, WINDOW.toSeconds())));
        System.out.print(report);
        // as many polls with 100 servers as with 1 (one more for scheduling jitter)
        assertThat(inWindow.get(100)).isPositive().isLessThanOrEqualTo(inWindow.get(1) + 1);
    }

    /** Starts {@code servers} servers that all run, then counts FirecREST calls per slow interval. */
    private int measure(int servers) throws Exception {
        firecrest.resetAll();
        keycloak.resetAll();
        keycloak.stubFor(post(FirecrestBackendTest.TOKEN_PATH).withRequestBody(containing("grant_type=client_credentials"))
                .willReturn(json(200, "{\"access_token\":\"svc\",\"expires_in\":300,\"token_type\":\"Bearer\"}")));
        List<ObjectNode> running = new ArrayList<>();
        // jobs of the previous round may still be cancelled again while they end
        firecrest.stubFor(delete(urlPathMatching(JOBS + "/[0-9]+")).willReturn(aResponse().withStatus(204)));
        firecrest.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, JobModelBodies.jobs(running))));
        long run = System.nanoTime() % 100000;
        for (int i = 0; i < servers; i++) {
            String user = "pc" + servers + "u" + i + "r" + run;
            String id = Integer.toString(10000 * servers + i);
            firecrest.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"" + id + "\"}")));
            String path = "/api/v1/users/" + user + "/servers/lab";
            paths.add(path);
            given().header("Authorization", HUB).contentType(ContentType.JSON).body(FirecrestBackendTest.createBody(user))
                    .post(path).then().statusCode(202);
            int submitted = i + 1;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> firecrest.findAll(postRequestedFor(urlPathEqualTo(JOBS))).size() == submitted);
            String name = JSON.readTree(firecrest.findAll(postRequestedFor(urlPathEqualTo(JOBS))).get(i).getBodyAsString())
                    .path("job").path("name").asText();
            running.add(JobModelBodies.job(id, name, user, "RUNNING"));
            String secret = JSON.readTree(firecrest.findAll(postRequestedFor(urlPathEqualTo(JOBS))).get(i).getBodyAsString())
                    .path("job").path("script").asText();
            secret = io.hpcspawner.support.JobScripts.startSecret(secret);
            String serverId = given().header("Authorization", HUB).get(path).then().extract().path("id");
            firecrest.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, JobModelBodies.jobs(running))));
            given().header("Authorization", "Bearer " + secret).contentType(ContentType.JSON)
                    .body(Map.of("host", "nid001234", "port", 50000 + i)).post("/api/v1/callback/" + serverId).then().statusCode(204);
        }
        for (String path : paths) {
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    "running".equals(given().header("Authorization", HUB).get(path).then().extract().path("state")));
        }
        assertThat(SpecValidator.V2.problems(firecrest.getAllServeEvents(), List.of())).isEmpty();
        Thread.sleep(1000); // let the watcher settle on the slow interval
        firecrest.resetRequests();
        Thread.sleep(WINDOW.toMillis());
        int all = firecrest.findAll(anyRequestedFor(anyUrl())).size();
        int listings = firecrest.findAll(getRequestedFor(urlPathEqualTo(JOBS))).size();
        assertThat(all).as("every call in the window is the batched listing").isEqualTo(listings);
        return all;
    }
}
