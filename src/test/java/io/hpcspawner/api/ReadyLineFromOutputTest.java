package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.JobScripts;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8, hole 4, for nodes that cannot call back: the service reads the ready line from the
 * job's output, which the job's user can write anything into. Only a line with this start's
 * proof, naming the job's own node and a port in range, makes the server running.
 */
@QuarkusTest
@TestProfile(ReadyLineFromOutputTest.Profile.class)
class ReadyLineFromOutputTest {

    /** The test system's nodes cannot reach the service. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hpcspawner.systems.testsys.ready-signal", "output");
        }
    }

    @Inject
    FakeScheduler slurm;

    String path;
    FakeScheduler.Job job;
    String id;

    @BeforeEach
    void startedOnNid007() {
        slurm.reset();
        path = "/api/v1/users/alice/servers/out" + System.nanoTime() % 100000;
        id = given().header("Authorization", ServerApiTest.HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", "start-" + System.nanoTime(), "environment", Map.of()))
                .post(path).then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(5)).until(() -> slurm.jobs.size() == 1);
        job = slurm.only("alice");
        slurm.run(job, "nid007");
        awaitState("starting");
    }

    void awaitState(String state) {
        await().atMost(Duration.ofSeconds(5)).until(() -> state.equals(
                given().header("Authorization", ServerApiTest.HUB).get(path).then().extract().path("state")));
    }

    /** Gives the watcher three rounds (0.2 s apart in tests; a busy machine may take longer) to read the output. */
    void severalRounds() throws InterruptedException {
        int before = slurm.queries.get();
        await().atMost(Duration.ofSeconds(20)).until(() -> slurm.queries.get() >= before + 3);
    }

    @Test
    void aLineWithoutTheProofIsIgnored() throws InterruptedException {
        slurm.output = "starting\nHPCSPAWNER_READY host=nid007 port=50123\n"
                + "HPCSPAWNER_READY host=nid007 port=50123 proof=" + "0".repeat(64) + "\n";
        severalRounds();
        given().header("Authorization", ServerApiTest.HUB).get(path).then().body("state", equalTo("starting"));
    }

    @Test
    void aProvenLineForAnotherHostOrAPortOutOfRangeIsIgnored() throws InterruptedException {
        String script = job.submission.script();
        slurm.output = JobScripts.readyLine(script, id, "db.internal", 50123) + "\n"
                + JobScripts.readyLine(script, id, "nid007", 5432) + "\n";
        severalRounds();
        given().header("Authorization", ServerApiTest.HUB).get(path).then().body("state", equalTo("starting"));
    }

    @Test
    void theJobsOwnProvenLineMakesTheServerRunningAtTheSchedulersNode() {
        slurm.output = "noise\n" + JobScripts.readyLine(job.submission.script(), id, "nid007", 50123) + "\n";
        awaitState("running");
        given().header("Authorization", ServerApiTest.HUB).get(path).then().body("url", equalTo("http://nid007:50123"));
    }
}
