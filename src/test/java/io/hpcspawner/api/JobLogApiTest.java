package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.support.FakeScheduler;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13: after a failed start the user fetches the whole output of the server's job, read as the
 * user through the scheduler; a file the user may not read is refused with the reason, never shown.
 */
@QuarkusTest
class JobLogApiTest {

    @Inject
    FakeScheduler slurm;

    /** The static test token of a user (application.properties of the test profile). */
    static String tokenOf(String user) {
        return "Bearer test-" + user + "-token";
    }

    String server;

    @BeforeEach
    void fresh() {
        slurm.reset();
        server = "log" + System.nanoTime() % 100000;
    }

    @AfterEach
    void release() {
        if (slurm.submitGate != null) {
            slurm.submitGate.countDown();
        }
    }

    String path() {
        return "/api/v1/users/alice/servers/" + server;
    }

    FakeScheduler.Job start() {
        given().header("Authorization", ServerApiTest.HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", "start-" + System.nanoTime())).post(path()).then().statusCode(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> slurm.jobs.size() == 1);
        return slurm.only("alice");
    }

    FakeScheduler.Job failedStart(String output) {
        FakeScheduler.Job job = start();
        slurm.output = output;
        slurm.end(job, "FAILED", 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "failed".equals(
                given().header("Authorization", ServerApiTest.HUB).get(path()).jsonPath().getString("state")));
        return job;
    }

    Response log(String credential, String query) {
        return given().header("Authorization", credential).get(path() + "/log" + query);
    }

    @Test
    void theOwnerReadsTheWholeOutputOfAFailedStartAsTheClusterUser() {
        FakeScheduler.Job job = failedStart("loading modules\njupyterhub-singleuser: command not found\n");
        slurm.outputReaders.clear();
        log(tokenOf("alice"), "").then().statusCode(200).contentType(containsString("text/plain"))
                .header(ServerResource.JOB_ID, job.id).header(ServerResource.LOG_TRUNCATED, "false")
                .body(equalTo("loading modules\njupyterhub-singleuser: command not found\n"));
        assertThat(slurm.outputReaders).contains(job.submission.user());
        log(ServerApiTest.HUB, "").then().statusCode(200).body(containsString("command not found"));
    }

    @Test
    void aLongOutputIsCutToItsLastLinesAndSaysSo() {
        failedStart("one\ntwo\nthree\nfour\nfive\n");
        log(tokenOf("alice"), "?lines=2").then().statusCode(200).header(ServerResource.LOG_TRUNCATED, "true")
                .body(equalTo("four\nfive\n"));
        log(tokenOf("alice"), "?lines=5").then().statusCode(200).header(ServerResource.LOG_TRUNCATED, "false");
    }

    @Test
    void aLineCountOutOfRangeOrNotANumberIsABadRequest() {
        failedStart("x\n");
        for (String q : new String[] {"?lines=0", "?lines=10001", "?lines=many"}) {
            log(tokenOf("alice"), q).then().statusCode(400).body("error", equalTo("bad_request")).body("field", equalTo("lines"));
        }
    }

    @Test
    void anotherUserCannotReadIt() {
        failedStart("alice's secret output\n");
        log(tokenOf("bob"), "").then().statusCode(403).body(not(containsString("secret output")));
    }

    @Test
    void anUnknownServerIsNotFound() {
        log(tokenOf("alice"), "").then().statusCode(404).body("error", equalTo("server_not_found"));
    }

    @Test
    void aStartWithoutAJobOrStillQueuedHasNoOutputYet() {
        slurm.submitGate = new CountDownLatch(1);
        given().header("Authorization", ServerApiTest.HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", "start-" + System.nanoTime())).post(path()).then().statusCode(202);
        log(tokenOf("alice"), "").then().statusCode(409).body("error", equalTo("no_job_output"))
                .body("message", containsString("no job yet"));
        slurm.submitGate.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> "queued".equals(
                given().header("Authorization", ServerApiTest.HUB).get(path()).jsonPath().getString("state")));
        log(tokenOf("alice"), "").then().statusCode(409).body("message", containsString("still queued"));
    }

    @Test
    void anOutputTheUserMayNotReadIsRefusedWithTheReasonNeverItsContent() {
        failedStart("root's secret\n");
        slurm.outputFailure = new SchedulerException("refusing to read job output /home/alice/out of user alice:"
                + " it is a symbolic link", false);
        log(tokenOf("alice"), "").then().statusCode(403).body("error", equalTo("log_unreadable"))
                .body("message", containsString("symbolic link")).body(not(containsString("root's secret")));
    }

    @Test
    void anUnreachableSchedulerIsAskedAgainLater() {
        failedStart("x\n");
        slurm.outputFailure = new SchedulerException("connection refused", true);
        log(tokenOf("alice"), "").then().statusCode(503).body("error", equalTo("scheduler_unavailable"))
                .header("Retry-After", not(equalTo(null)));
    }
}
