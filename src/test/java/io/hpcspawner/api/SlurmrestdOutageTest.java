package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.hpcspawner.support.ManagementPort;
import io.hpcspawner.support.SseEvents;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 5, with the real slurmrestd adapter and a slurmrestd that is down (the test
 * system's URL is a closed port): a start keeps trying for {@code hpcspawner.submit.retry-for}
 * (1 s here), then fails saying the cluster could not be reached, with the code
 * {@code scheduler_unavailable} on its failed event (the hub plugin answers 503 with it); the
 * systems health group is DOWN with the reason; readiness stays UP.
 */
@QuarkusTest
@TestProfile(SlurmrestdOutageTest.Profile.class)
class SlurmrestdOutageTest {

    /** The real composition root; slurmrestd at 127.0.0.1:1, where nothing listens. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("test.fake-scheduler", "false", "hpcspawner.submit.retry-for", "1s",
                    "hpcspawner.submit.retry-interval", "0.1s", "hpcspawner.store.directory", "target/test-store-outage",
                    // issue 12: slurmrestd now has a breaker; its default 30 s cool-down outlasts this test's 1 s retry-for
                    "hpcspawner.systems.testsys.resilience.breaker.open-for", "0.2s");
        }
    }

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @Test
    void aStartFailsAfterTheRetryTimeSayingTheClusterCouldNotBeReached() throws Exception {
        String path = "/api/v1/users/alice/servers/down" + System.nanoTime() % 100000;
        given().header("Authorization", ServerApiTest.HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", "start-" + System.nanoTime(), "options", Map.of(), "environment", Map.of()))
                .post(path).then().statusCode(202);

        await().atMost(Duration.ofSeconds(15)).until(() -> "failed".equals(
                given().header("Authorization", ServerApiTest.HUB).get(path).then().extract().path("state")));

        given().header("Authorization", ServerApiTest.HUB).get(path).then()
                .body("message", containsString("The cluster testsys could not be reached ("))
                .body("message", containsString("ConnectException"))
                .body("message", containsString("No job was submitted"));
        List<String> events = SseEvents.read(URI.create("http://localhost:" + port + path + "/events"),
                ServerApiTest.HUB, null);
        assertThat(events.stream().filter(e -> e.contains("cannot be reached") && e.contains("trying again in")))
                .isNotEmpty();
        assertThat(events.get(events.size() - 1)).contains("\"failed\":true")
                .contains("\"code\":\"scheduler_unavailable\"").doesNotContain("did not accept");
    }

    @Test
    void theSystemsGroupIsDownWithTheReasonAndReadinessIsNot() {
        given().baseUri(ManagementPort.url(management)).get("/q/health/group/systems").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'systems' }.data.testsys", containsString("unhealthy: slurmrestd at http://127.0.0.1:1 cannot be reached"));
        given().baseUri(ManagementPort.url(management)).get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"));
    }
}
