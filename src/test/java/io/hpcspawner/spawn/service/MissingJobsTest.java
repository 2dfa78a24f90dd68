package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.support.FakeScheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A job missing from the scheduler's listings (a bad answer, a proxy that drops entries) ends its
 * server only when a look-up of that one job confirms the scheduler no longer knows it. The
 * application's own watcher runs the rounds (every 0.2 s in tests, gone-grace 2 s).
 */
@QuarkusTest
class MissingJobsTest {

    @Inject
    FakeScheduler slurm;
    @Inject
    ServerStore store;
    @Inject
    Trackers trackers;

    /** Not a configured system: the application's own watcher leaves its records alone. */
    static final String MASS = "mass-vanish";

    @BeforeEach
    void fresh() {
        slurm.reset();
    }

    ServerRecord queuedWithJob(String name) {
        FakeScheduler.Job job = slurm.addForeign("placeholder-" + name, "carol");
        job.phase = JobPhase.PENDING;
        job.state = "PENDING";
        job.node = null;
        ServerRecord r = ServerRecords.queued(new ServerKey("carol", name + System.nanoTime()), job.id);
        store.save(r);
        return r;
    }

    ServerRecord now(ServerRecord r) {
        return store.find(r.key()).orElseThrow();
    }

    @Test
    void aServerWhoseJobTheListingsLeaveOutLivesOnWhenItsLookUpFindsIt() {
        ServerRecord r = queuedWithJob("left-out");
        slurm.listingOmits.add(r.jobId());

        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> now(r).state() == ServerState.QUEUED);
        assertThat(slurm.lookUps.get()).as("the job was looked up on its own").isPositive();
        assertThat(slurm.jobs.get(r.jobId()).cancelled).isFalse();
    }

    @Test
    void aServerWhoseJobTheSchedulerNoLongerKnowsEndsAfterTheGracePeriod() {
        ServerRecord r = queuedWithJob("forgotten");
        slurm.jobs.remove(r.jobId());

        await().atMost(Duration.ofSeconds(8)).until(() -> now(r).state() == ServerState.FAILED);
        assertThat(now(r).message()).contains("gone from the scheduler");
        assertThat(slurm.lookUps.get()).isPositive();
    }

    @Test
    void aLookUpInDoubtEndsNothingAndShowsTheDoubt() {
        ServerRecord r = queuedWithJob("doubt");
        slurm.listingOmits.add(r.jobId());
        slurm.lookUpsFail = true;

        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                .until(() -> now(r).state() == ServerState.QUEUED);
        assertThat(now(r).unknownSince()).as("the status says the state is in doubt").isNotNull();
    }

    @Test
    void manyJobsVanishingAtOnceMarksTheirServersUnknownAtOnce() {
        FakeScheduler own = new FakeScheduler();
        Reconciler tracker = trackers.forSystem(MASS, own);
        List<ServerRecord> records = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FakeScheduler.Job job = own.addForeign("placeholder-mass-" + i, "carol");
            job.phase = JobPhase.PENDING;
            job.state = "PENDING";
            ServerRecord r = ServerRecords.queuedOn(new ServerKey("carol", "mass" + i + "-" + System.nanoTime()), job.id,
                    MASS);
            store.save(r);
            records.add(r);
        }
        tracker.reconcile(MASS);
        records.forEach(r -> assertThat(now(r).unknownSince()).isNull());

        records.subList(0, 3).forEach(r -> own.listingOmits.add(r.jobId()));
        tracker.reconcile(MASS);

        records.subList(0, 3).forEach(r -> assertThat(now(r).unknownSince()).as("in doubt at once").isNotNull());
        assertThat(now(records.get(3)).unknownSince()).isNull();
        own.listingOmits.clear();
        tracker.reconcile(MASS);
        records.forEach(r -> assertThat(now(r).unknownSince()).isNull());
        records.forEach(r -> assertThat(now(r).state()).isEqualTo(ServerState.QUEUED));
    }
}
