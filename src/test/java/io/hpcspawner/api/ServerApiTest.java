package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.SseEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The REST contract and the lifecycle rules, driven through the API against the scheduler double. */
@QuarkusTest
class ServerApiTest {

    static final String HUB = "Bearer test-hub-token-0123456789abcdef0123456789";
    static final AtomicInteger NAMES = new AtomicInteger();

    @Inject
    FakeScheduler slurm;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    String server;

    @BeforeEach
    void fresh() {
        slurm.reset();
        server = "s" + System.nanoTime() % 100000 + "-" + NAMES.incrementAndGet();
    }

    String path() {
        return "/api/v1/users/alice/servers/" + server;
    }

    ValidatableResponse create(String startId, Map<String, Object> options) {
        return given().header("Authorization", HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", startId, "options", options, "environment",
                        Map.of("JUPYTERHUB_API_TOKEN", "hub-secret-token", "JUPYTERHUB_OAUTH_SCOPES", "[\"a\",\"b, c\"]")))
                .post(path()).then();
    }

    ValidatableResponse status() {
        return given().header("Authorization", HUB).get(path()).then();
    }

    String state() {
        return status().extract().path("state");
    }

    FakeScheduler.Job submittedJob() {
        await().atMost(Duration.ofSeconds(5)).until(() -> slurm.jobs.size() == 1);
        return slurm.jobs.values().iterator().next();
    }

    String secretOf(FakeScheduler.Job job) {
        return io.hpcspawner.support.JobScripts.startSecret(job.submission.script());
    }

    void awaitState(String expected) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(state()).isEqualTo(expected));
    }

    @Test
    void startQueueRunAndStop() {
        create("start-00000001", Map.of("profile", "small", "cpus", "2")).statusCode(202)
                .body("state", equalTo("submitting")).body("options.cpus", equalTo("2"));
        FakeScheduler.Job job = submittedJob();
        assertThat(job.submission.cpus()).isEqualTo(2);
        assertThat(job.submission.name()).startsWith("hpcsp-test01-");
        job.reason = "Resources";
        awaitState("queued");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> status().body("pendingReason", equalTo("Resources")));
        status().body("jobId", equalTo(job.id))
                .body("message", containsString("Resources"));
        status().body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("estimatedStart")));
        job.expectedStart = java.time.Instant.parse("2030-01-02T14:05:00Z");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> status()
                .body("estimatedStart", equalTo("2030-01-02T14:05:00Z"))
                .body("message", containsString("Slurm expects it to start at 2030-01-02 14:05 UTC")));

        slurm.run(job, "nid007");
        awaitState("starting");
        status().body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("estimatedStart")));
        given().header("Authorization", "Bearer " + secretOf(job)).contentType(ContentType.JSON)
                .body(Map.of("host", "nid007", "port", 51234))
                .post("/api/v1/callback/" + status().extract().path("id")).then().statusCode(204);
        status().body("state", equalTo("running")).body("url", equalTo("http://nid007:51234"))
                .body("host", equalTo("nid007")).body("port", equalTo(51234))
                .body("transitions.state", org.hamcrest.Matchers.contains("submitting", "queued", "starting", "running"));

        given().header("Authorization", HUB).delete(path()).then().statusCode(202).body("state", equalTo("stopped"));
        assertThat(job.cancelled).isTrue();
        status().body("exitCode", equalTo(0));
    }

    /** A server whose job runs (the server itself need not be ready for a stop). */
    FakeScheduler.Job runningJob(String startId) {
        create(startId, Map.of()).statusCode(202);
        FakeScheduler.Job job = submittedJob();
        slurm.run(job, "nid007");
        awaitState("starting");
        return job;
    }

    @Test
    void aSecondStopWhileTheCancelIsInFlightSendsNoSecondCancel() throws Exception {
        FakeScheduler.Job job = runningJob("start-00000c01");
        slurm.cancelGate = new CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.concurrent.Future<String> first = pool.submit(() ->
                    given().header("Authorization", HUB).delete(path()).then().statusCode(202).extract().path("state"));
            await().atMost(Duration.ofSeconds(5)).until(() -> slurm.cancels.get() == 1);
            String second = given().header("Authorization", HUB).delete(path()).then().statusCode(202)
                    .extract().path("state");
            assertThat(second).isEqualTo("stopping");
            slurm.cancelGate.countDown();
            assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("stopped");
        } finally {
            slurm.cancelGate.countDown();
            pool.shutdownNow();
        }
        given().header("Authorization", HUB).delete(path()).then().statusCode(202).body("state", equalTo("stopped"));
        Thread.sleep(1500); // a few watcher rounds: neither the watcher nor the orphan sweep cancels again
        assertThat(job.cancelled).isTrue();
        assertThat(slurm.cancels).as("one stop, one cancel").hasValue(1);
    }

    @Test
    void aTakenCancelIsNotSentAgainWhileTheJobIsStillListedAsItEnds() {
        FakeScheduler.Job job = runningJob("start-00000c04");
        slurm.cancelTakesAWhile = true;

        given().header("Authorization", HUB).delete(path()).then().statusCode(202).body("state", equalTo("stopped"));
        int rounds = slurm.queries.get();
        await().atMost(Duration.ofSeconds(10)).until(() -> slurm.queries.get() >= rounds + 3);

        assertThat(job.phase).as("still listed as running").isEqualTo(JobPhase.RUNNING);
        assertThat(slurm.cancels).as("neither the watcher nor the orphan sweep sends the cancel again").hasValue(1);
        slurm.end(job, "CANCELLED", 0);
    }

    @Test
    void aRefusedCancelLeavesTheServerStoppingWithTheReasonUntilACancelIsTaken() {
        FakeScheduler.Job job = runningJob("start-00000c02");
        slurm.cancelFailure = new io.hpcspawner.spawn.port.LoginRequiredException(
                "your login has expired: log out and log in again", null);

        given().header("Authorization", HUB).delete(path()).then().statusCode(202)
                .body("state", equalTo("stopping"))
                .body("message", containsString("job " + job.id + " could not be cancelled"))
                .body("message", containsString("log out and log in again"))
                .body("message", containsString("time limit"));
        assertThat(job.phase).isEqualTo(JobPhase.RUNNING);
        await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                .untilAsserted(() -> assertThat(state()).isEqualTo("stopping"));
        assertThat(slurm.cancels).as("a refusal is not re-sent every watcher round").hasValue(1);

        slurm.cancelFailure = null;
        given().header("Authorization", HUB).delete(path()).then().statusCode(202).body("state", equalTo("stopped"));
        assertThat(job.cancelled).isTrue();
        assertThat(slurm.cancels).hasValue(2);
    }

    @Test
    void aCancelThatFailedForAMomentIsRetriedByTheWatcher() {
        FakeScheduler.Job job = runningJob("start-00000c03");
        slurm.cancelFailure = new io.hpcspawner.spawn.port.SchedulerException("DELETE failed: ConnectException", true);

        given().header("Authorization", HUB).delete(path()).then().statusCode(202)
                .body("state", equalTo("stopping")).body("message", containsString("trying again"));
        slurm.cancelFailure = null;

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(state()).isEqualTo("stopped"));
        assertThat(job.cancelled).isTrue();
        assertThat(slurm.cancels).hasValue(2);
    }

    @Test
    void retriedCreateWithTheSameStartIdIsIdempotentAndAnotherStartConflicts() {
        String id = create("start-00000002", Map.of()).statusCode(202).extract().path("id");
        create("start-00000002", Map.of()).statusCode(200).body("id", equalTo(id));
        create("start-00000003", Map.of()).statusCode(409).body("error", equalTo("server_active"))
                .body("message", containsString("stop it"));
        submittedJob();
        assertThat(slurm.submits.get()).isEqualTo(1);
    }

    @Test
    void secretsTravelOnlyInTheScriptBodyNeverInTheSchedulersEnvironment() {
        create("start-00000004", Map.of()).statusCode(202);
        JobSubmission s = submittedJob().submission;
        String secret = secretOf(submittedJob());
        // What the scheduler API exports (FirecREST: sbatch --export=..., a command line) holds no secret.
        assertThat(s.environment()).containsOnlyKeys("PATH");
        assertThat(s.environment().toString()).doesNotContain("hub-secret-token").doesNotContain(secret);
        // The script body carries the environment, quoted byte for byte, and the start secret.
        assertThat(s.script()).startsWith("#!/bin/bash\n").contains("#SBATCH --partition=normal")
                .contains("#SBATCH --mem=16G", "#SBATCH --account=proj1", "#SBATCH --constraint=gpu")
                .contains("export JUPYTERHUB_API_TOKEN='hub-secret-token'")
                .contains("export JUPYTERHUB_OAUTH_SCOPES='[\"a\",\"b, c\"]'")
                .contains("hpcsp_callback='http://127.0.0.1:8090/api/v1/callback/")
                .doesNotContain("HPCSPAWNER_START_SECRET");
        assertThat(s.environment().get("PATH")).isEqualTo("/usr/local/bin:/usr/bin:/bin");
        // The profile's sbatch-options also travel as such, for APIs that ignore #SBATCH lines (slurmrestd).
        assertThat(s.sbatchOptions()).containsExactly("--constraint=gpu");
    }

    @Test
    void theSchedulerNotAnsweringNeverStopsARunningServer() {
        create("start-00000005", Map.of()).statusCode(202);
        FakeScheduler.Job job = submittedJob();
        slurm.run(job, "nid001");
        awaitState("starting");
        given().header("Authorization", "Bearer " + secretOf(job)).contentType(ContentType.JSON)
                .body(Map.of("host", "nid001", "port", 50000)).post("/api/v1/callback/" + status().extract().path("id"))
                .then().statusCode(204);
        slurm.queriesFail = true;
        int before = slurm.queries.get();
        await().atMost(Duration.ofSeconds(5)).until(() -> slurm.queries.get() >= before + 3);
        status().body("state", equalTo("running")).body("unknownSince", notNullValue());
        slurm.queriesFail = false;
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> status().body("unknownSince", nullValue()));
        status().body("state", equalTo("running"));
    }

    @Test
    void aJobMissingFromTheSchedulerEndsTheServerOnlyAfterTheGracePeriod() {
        create("start-00000006", Map.of()).statusCode(202);
        FakeScheduler.Job job = submittedJob();
        slurm.run(job, "nid001");
        awaitState("starting");
        slurm.jobs.remove(job.id);
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> state().equals("failed"));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        status().body("message", containsString("gone"));
    }

    @Test
    void aJobThatDiesBeforeItIsReadyShowsTheTailOfItsOutput() {
        slurm.output = "line 1\nTraceback (most recent call last):\nValueError: Missing OAuth client ID\n";
        create("start-00000007", Map.of()).statusCode(202);
        FakeScheduler.Job job = submittedJob();
        slurm.end(job, "FAILED", 1);
        awaitState("failed");
        status().body("exitCode", equalTo(1)).body("message", containsString("before the server was ready"))
                .body("message", containsString("ValueError: Missing OAuth client ID"));
    }

    @Test
    void stopWhileTheSubmitIsInFlightCancelsTheJobAsSoonAsItExists() {
        slurm.submitGate = new CountDownLatch(1);
        create("start-00000008", Map.of()).statusCode(202);
        given().header("Authorization", HUB).delete(path()).then().statusCode(202).body("state", equalTo("stopping"));
        slurm.submitGate.countDown();
        awaitState("stopped");
        assertThat(submittedJob().cancelled).isTrue();
    }

    @Test
    void aSubmitWhoseAnswerWasLostAdoptsTheJobInsteadOfSubmittingAgain() {
        slurm.submitAnswerLost = true;
        create("start-00000009", Map.of()).statusCode(202);
        FakeScheduler.Job job = submittedJob();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> status().body("jobId", equalTo(job.id)));
        assertThat(slurm.submits.get()).isEqualTo(1);
        assertThat(state()).isIn("queued", "submitting");
    }

    @Test
    void aRejectedSubmitFailsTheStartWithTheSchedulersReason() {
        slurm.submitFails = true;
        create("start-00000010", Map.of()).statusCode(202);
        awaitState("failed");
        status().body("message", containsString("Invalid partition name"));
    }

    @Test
    void eventsStreamReplaysAndResumesFromLastEventId() throws Exception {
        create("start-00000011", Map.of()).statusCode(202);
        FakeScheduler.Job job = submittedJob();
        job.reason = "Resources";
        awaitState("queued");
        slurm.end(job, "CANCELLED", 0);
        awaitState("failed");
        List<String> all = readEvents(null);
        assertThat(all).hasSizeGreaterThanOrEqualTo(3);
        assertThat(all.get(0)).startsWith("id:1");
        assertThat(all.get(all.size() - 1)).contains("\"failed\":true");
        List<String> resumed = readEvents("1");
        assertThat(resumed).hasSize(all.size() - 1);
        assertThat(resumed.get(0)).startsWith("id:2");
    }

    private List<String> readEvents(String lastEventId) throws Exception {
        return SseEvents.read(URI.create("http://localhost:" + port + path() + "/events"), HUB, lastEventId);
    }
}
