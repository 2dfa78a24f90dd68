package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.JobScripts;
import io.hpcspawner.support.SseEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 5, through the API against the scheduler double: a start whose cluster refuses
 * connections waits (the wait in its progress) and gets its one job once the cluster is back;
 * a submit that may have made the job is never sent again. The test profile's first wait is 0.1 s.
 */
@QuarkusTest
class SubmitOutageTest {

    static final AtomicInteger N = new AtomicInteger();

    @Inject
    FakeScheduler slurm;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeEach
    void fresh() {
        slurm.reset();
    }

    static String path(String server) {
        return "/api/v1/users/alice/servers/" + server;
    }

    static String state(String server) {
        return given().header("Authorization", ServerApiTest.HUB).get(path(server)).then().extract().path("state");
    }

    static void create(String server) {
        given().header("Authorization", ServerApiTest.HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", "start-" + System.nanoTime(), "options", Map.of(), "environment", Map.of()))
                .post(path(server)).then().statusCode(202);
    }

    static SchedulerException refused() {
        return new SchedulerException("POST /slurm/v0.0.38/job/submit failed: ConnectException", true,
                new ConnectException("Connection refused"));
    }

    @Test
    void aRefusedConnectionIsWaitedOutAndTheStartRunsWithOneJob() throws Exception {
        String server = "outage" + N.incrementAndGet();
        slurm.submitFailures.add(refused());
        slurm.submitFailures.add(refused());

        create(server);
        await().atMost(Duration.ofSeconds(10)).until(() -> slurm.jobs.size() == 1);
        FakeScheduler.Job job = slurm.only("alice");
        slurm.run(job, "nid007");
        await().atMost(Duration.ofSeconds(5)).until(() -> "starting".equals(state(server)));
        String id = given().header("Authorization", ServerApiTest.HUB).get(path(server)).then().extract().path("id");
        given().header("Authorization", "Bearer " + JobScripts.startSecret(job.submission.script()))
                .contentType(ContentType.JSON).body(Map.of("host", "nid007", "port", 50000))
                .post("/api/v1/callback/" + id).then().statusCode(204);

        assertThat(state(server)).isEqualTo("running");
        assertThat(slurm.submits.get()).isEqualTo(3);
        assertThat(slurm.jobs).hasSize(1);
        List<String> events = SseEvents.read(URI.create("http://localhost:" + port + path(server) + "/events"),
                ServerApiTest.HUB, null);
        assertThat(events.stream().filter(e -> e.contains("The cluster testsys cannot be reached")
                && e.contains("\"state\":\"submitting\"") && e.contains("trying again in"))).hasSize(2);
        assertThat(events.get(events.size() - 1)).contains("\"ready\":true");
    }

    @Test
    void aCreateThatNeedsTheClusterNowAnswers503WithRetryAfter() {
        given().header("Authorization", ServerApiTest.HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", "start-" + System.nanoTime(), "options", Map.of(), "environment", Map.of()))
                .post("/api/v1/users/unreachable1/servers/x").then().statusCode(503)
                .header("Retry-After", "10")
                .body("error", org.hamcrest.Matchers.equalTo("scheduler_unavailable"))
                .body("message", org.hamcrest.Matchers.startsWith("the cluster could not be reached: looking up user"
                        + " unreachable1 timed out"))
                .body("message", org.hamcrest.Matchers.endsWith("try again in 10 s"));
        assertThat(slurm.submits.get()).isZero();
    }

    @Test
    void aSubmitThatMayHaveMadeTheJobIsNeverSentAgain() {
        String server = "lost" + N.incrementAndGet();
        slurm.submitFailures.add(new SchedulerException("POST /slurm/v0.0.38/job/submit failed: HttpTimeoutException",
                true, new java.net.http.HttpTimeoutException("request timed out")));

        create(server);
        await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(state(server)));

        assertThat(slurm.submits.get()).as("never submitted twice").isEqualTo(1);
        assertThat(slurm.queries.get()).as("looked up by name").isPositive();
        String message = given().header("Authorization", ServerApiTest.HUB).get(path(server)).then().extract()
                .path("message");
        assertThat(message).contains("did not confirm the job").contains("not submitted again");
    }
}
