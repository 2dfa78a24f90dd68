package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.JobScripts;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 8, holes 2, 4 and 5: who may own a job, which environment a start may set, and which
 * address a ready signal may name. Through the API, against the scheduler double (which, like
 * slurmrestd, runs a job as whichever user name it is given).
 */
@QuarkusTest
class StartSafetyTest {

    static final AtomicInteger N = new AtomicInteger();

    @Inject
    FakeScheduler slurm;

    @BeforeEach
    void fresh() {
        slurm.reset();
    }

    static ValidatableResponse create(String user, String server, Map<String, String> environment) {
        return given().header("Authorization", ServerApiTest.HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", "start-" + System.nanoTime(), "options", Map.of(), "environment", environment))
                .post("/api/v1/users/" + user + "/servers/" + server).then();
    }

    @ParameterizedTest
    @ValueSource(strings = {"root", "slurm", "nobody", "daemon", "ghost-unknown", "Root.Admin@x"})
    void systemAccountsAndUnknownNamesNeverGetAJob(String user) {
        create(user, "s" + N.incrementAndGet(), Map.of()).statusCode(403).body("error", equalTo("user_not_allowed"))
                .body("field", equalTo("user"));
        assertThat(slurm.submits.get()).isZero();
    }

    @Test
    void theRefusalSaysWhy() {
        create("daemon", "why", Map.of()).statusCode(403).body("message", containsString("uid 1"))
                .body("message", containsString("min-uid=1000"));
        create("ghost-x", "why", Map.of()).statusCode(403).body("message", containsString("there is no user ghost-x"));
        create("slurm", "why", Map.of()).statusCode(403).body("message", containsString("may not run servers"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"BASH_ENV", "ENV", "LD_PRELOAD", "LD_LIBRARY_PATH", "PYTHONSTARTUP", "PROMPT_COMMAND",
            "PERL5OPT", "NODE_OPTIONS", "SLURM_CONF", "GLIBC_TUNABLES"})
    void environmentThatRunsCodeInTheJobIsRefusedNamingTheKey(String name) {
        create("alice", "env" + N.incrementAndGet(), Map.of(name, "/tmp/x.sh")).statusCode(400)
                .body("error", equalTo("denied_environment")).body("field", equalTo("environment." + name))
                .body("message", containsString(name));
        assertThat(slurm.submits.get()).isZero();
    }

    @Test
    void aNulInAnEnvironmentValueIsRefused() {
        create("alice", "nul", Map.of("JUPYTERHUB_X", "a\0b")).statusCode(400)
                .body("field", equalTo("environment.JUPYTERHUB_X"));
    }

    /** Starts a server whose job runs on {@code node}; answers the server id and the job's start secret. */
    String[] startedOn(String server, String node) {
        String path = "/api/v1/users/alice/servers/" + server;
        String id = create("alice", server, Map.of()).statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(5)).until(() -> slurm.jobs.size() == 1);
        FakeScheduler.Job job = slurm.only("alice");
        slurm.run(job, node);
        await().atMost(Duration.ofSeconds(5)).until(() -> "starting".equals(
                given().header("Authorization", ServerApiTest.HUB).get(path).then().extract().path("state")));
        return new String[] {id, JobScripts.startSecret(job.submission.script()), path};
    }

    ValidatableResponse ready(String id, String secret, String host, int port) {
        return given().header("Authorization", "Bearer " + secret).contentType(ContentType.JSON)
                .body(Map.of("host", host, "port", port)).post("/api/v1/callback/" + id).then();
    }

    @Test
    void aReadySignalNamingAnotherHostIsRefusedAndTheServerStaysStarting() {
        String[] s = startedOn("r" + N.incrementAndGet(), "nid007");
        ready(s[0], s[1], "internal-db.example.org", 50000).statusCode(400).body("error", equalTo("ready_refused"))
                .body("field", equalTo("host")).body("message", containsString("nid007"));
        ready(s[0], s[1], "nid008", 50000).statusCode(400).body("field", equalTo("host"));
        given().header("Authorization", ServerApiTest.HUB).get(s[2]).then().body("state", equalTo("starting"));
    }

    @Test
    void aReadySignalWithAPortOutsideTheRangeIsRefused() {
        String[] s = startedOn("p" + N.incrementAndGet(), "nid007");
        ready(s[0], s[1], "nid007", 22).statusCode(400).body("field", equalTo("port"))
                .body("message", containsString("49152-65000"));
        ready(s[0], s[1], "nid007", 8081).statusCode(400).body("field", equalTo("port"));
    }

    @Test
    void theAddressIsTheSchedulersNodeTheFullyQualifiedNameTheNodeReportsIsAccepted() {
        String[] s = startedOn("q" + N.incrementAndGet(), "nid007");
        ready(s[0], s[1], "nid007.cluster.example", 50001).statusCode(204);
        given().header("Authorization", ServerApiTest.HUB).get(s[2]).then().body("state", equalTo("running"))
                .body("host", equalTo("nid007")).body("url", equalTo("http://nid007:50001"));
    }

    @Test
    void anotherStartsSecretIsRefused() {
        String[] first = startedOn("a" + N.incrementAndGet(), "nid001");
        slurm.reset();
        String[] second = startedOn("b" + N.incrementAndGet(), "nid002");
        ready(first[0], second[1], "nid001", 50002).statusCode(401);
        ready("nosuchserver", second[1], "nid002", 50002).statusCode(401);
    }
}
