package io.hpcspawner.spawn.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.credentials.Secrets;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.support.FakeScheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How long a start may wait in the queue is the profile's {@code queue-timeout} (the test profile
 * "big" has 2h, "small" the global 24h): a start past its profile's deadline is given up and its
 * job cancelled, one within it keeps waiting, and the API and the queue message show the deadline.
 */
@QuarkusTest
class QueueTimeoutTest {

    /** Not a configured system, so the application's own watcher leaves these records alone. */
    static final String SYSTEM = "queue-test";

    @Inject
    FakeScheduler slurm;
    @Inject
    ServerStore store;
    @Inject
    Trackers trackers;
    @Inject
    Clock clock;
    @Inject
    SpawnerConfig config;
    @Inject
    ServerLifecycle lifecycle;
    @Inject
    ProfileCatalog catalog;

    Reconciler tracker;

    @BeforeEach
    void fresh() {
        slurm.reset();
        tracker = trackers.forSystem(SYSTEM, slurm);
    }

    @Test
    void aStartQueuedLongerThanItsProfileAllowsIsGivenUpAndItsJobCancelled() {
        ServerRecord r = queued("big", Duration.ofHours(3));

        tracker.reconcile(SYSTEM);

        ServerRecord after = store.find(r.key()).orElseThrow();
        assertThat(after.state()).isEqualTo(ServerState.FAILED);
        assertThat(after.message()).isEqualTo("The server did not start within 2h; job " + r.jobId() + " was cancelled");
        assertThat(slurm.jobs.get(r.jobId()).state).isEqualTo("CANCELLED");
    }

    @Test
    void aStartWithinItsProfilesQueueTimeoutKeepsWaiting() {
        ServerRecord r = queued("small", Duration.ofHours(3)); // small: the global 24h

        tracker.reconcile(SYSTEM);

        ServerRecord after = store.find(r.key()).orElseThrow();
        assertThat(after.state()).isEqualTo(ServerState.QUEUED);
        assertThat(after.message()).contains("is waiting in the queue")
                .contains("The start is given up at ")
                .contains(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
                        .withZone(java.time.ZoneOffset.UTC).format(after.startDeadline()));
        assertThat(slurm.jobs.get(r.jobId()).state).isEqualTo("PENDING");
    }

    @Test
    void theStatusAndTheOptionsFormCarryTheDeadline() {
        ServerRecord r = queued("big", Duration.ofMinutes(5));
        given().header("Authorization", "Bearer test-hub-token-0123456789abcdef0123456789")
                .get("/api/v1/users/" + r.user() + "/servers/" + r.server()).then().statusCode(200)
                .body("startDeadline", equalTo(r.createdAt().plus(Duration.ofHours(2)).toString()));
        assertThat(catalog.profiles().get("big").startTimeout()).isEqualTo(Duration.ofHours(2));
        given().header("Authorization", "Bearer test-alice-token").get("/api/v1/users/alice/options-form").then()
                .statusCode(200)
                .body("profiles.find { it.key == 'big' }.queueTimeoutSeconds", equalTo(7200))
                .body("profiles.find { it.key == 'small' }.queueTimeoutSeconds", equalTo(86400));
    }

    /** A start of {@code profile} made {@code ago}, its job pending in the scheduler. */
    ServerRecord queued(String profile, Duration ago) {
        ServerKey key = new ServerKey("alice", "queue" + System.nanoTime());
        String id = Secrets.newServerId();
        String jobName = "hpcsp-" + id;
        LaunchPlan plan = catalog.plan("alice", Map.of("profile", profile));
        plan = new LaunchPlan(plan.profile(), SYSTEM, plan.unixUser(), plan.workingDirectory(), plan.partition(),
                plan.cpus(), plan.memory(), plan.timeLimitMinutes(), plan.account(), plan.extraSbatchOptions(),
                plan.chosenOptions(), plan.startTimeout());
        Instant then = clock.instant().minus(ago);
        ServerRecord r = ServerRecord.newStart(id, key, "start-" + id, Secrets.hash("s"), plan, jobName,
                "/tmp/" + jobName + ".log", then);
        ServerRecords.enter(r, ServerState.SUBMITTING, "Submitting", then);
        FakeScheduler.Job job = slurm.addForeign(jobName, "alice");
        job.phase = io.hpcspawner.spawn.port.JobPhase.PENDING;
        job.state = "PENDING";
        job.node = null;
        job.reason = "Priority";
        ServerRecords.withJob(r, job.id);
        store.save(r);
        lifecycle.pending(key, id, java.util.Optional.of("Priority"), java.util.Optional.empty());
        return store.find(key).orElseThrow();
    }
}
