package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.hpcspawner.support.FakeScheduler;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A profile's options through the create call (issue 13): the test profile {@code gpu} is open to
 * the JupyterHub group gpu-users, offers the reservations course and maint, 0 to 4 GPUs and two
 * software environments.
 */
@QuarkusTest
class ProfileOptionsApiTest {

    static final String HUB = ServerApiTest.HUB;
    static final AtomicInteger NAMES = new AtomicInteger();

    @Inject
    FakeScheduler slurm;

    String server;

    @BeforeEach
    void fresh() {
        slurm.reset();
        server = "opt" + System.nanoTime() % 100000 + "-" + NAMES.incrementAndGet();
    }

    ValidatableResponse create(String authorization, Map<String, Object> options, List<String> groups) {
        Map<String, Object> body = new HashMap<>();
        body.put("startId", "start-" + server);
        body.put("options", options);
        if (groups != null) {
            body.put("groups", groups);
        }
        return given().header("Authorization", authorization).contentType(ContentType.JSON).body(body)
                .post("/api/v1/users/alice/servers/" + server).then();
    }

    @Test
    void aReservationTheSiteDoesNotOfferIsRefusedNamingTheAllowedOnes() {
        create(HUB, Map.of("profile", "gpu", "reservation", "night"), List.of("gpu-users")).statusCode(400)
                .body("error", equalTo("invalid_option")).body("field", equalTo("options.reservation"))
                .body("message", equalTo("reservation must be one of: course, maint; got \"night\""));
        assertThat(slurm.submits.get()).isZero();
    }

    @Test
    void aGroupRestrictedProfileExistsOnlyForItsMembersAsTheHubTellsThem() {
        create(HUB, Map.of("profile", "gpu"), List.of("students")).statusCode(400)
                .body("field", equalTo("options.profile"))
                .body("message", equalTo("unknown profile \"gpu\"; choose one of big, small"));
        create("Bearer test-alice-token", Map.of("profile", "gpu"), List.of("gpu-users")).statusCode(400)
                .body("message", equalTo("unknown profile \"gpu\"; choose one of big, small"));
        create(HUB, Map.of("profile", "gpu"), List.of("students", "gpu-users")).statusCode(202)
                .body("profile", equalTo("gpu"));
        given().header("Authorization", HUB).delete("/api/v1/users/alice/servers/" + server).then().statusCode(202);
    }

    @Test
    void theChosenOptionsAndTheEnvironmentReachTheBatchScript() {
        Map<String, Object> form = new HashMap<>();
        form.put("profile", List.of("gpu"));
        form.put("gpu.reservation", List.of("course"));
        form.put("gpu.gpus", List.of("2"));
        form.put("gpu.environment", List.of("jupyter"));
        form.put("small.cpus", List.of("3")); // another profile's field of the same form: ignored
        create(HUB, form, List.of("gpu-users")).statusCode(202).body("options.reservation", equalTo("course"))
                .body("options.gpus", equalTo("2")).body("options.environment", equalTo("jupyter"));

        await().atMost(Duration.ofSeconds(5)).until(() -> slurm.jobs.size() == 1);
        String script = slurm.jobs.values().iterator().next().submission.script();
        assertThat(script).contains("#SBATCH --reservation=course\n", "#SBATCH --gpus-per-node=2\n",
                "#SBATCH --comment=uenv-jupyterlab\n", "#SBATCH --cpus-per-task=1\n", "#SBATCH --partition=debug\n");
        assertThat(script).doesNotContain("--licenses=torch:1");
        assertThat(script.indexOf("export HPCSPAWNER_TEST_ENV=jupyter\n")).as("the environment's prelude, before the"
                + " server starts").isPositive().isLessThan(script.indexOf("jupyterhub-singleuser &"));
        given().header("Authorization", HUB).delete("/api/v1/users/alice/servers/" + server).then().statusCode(202);
    }
}
