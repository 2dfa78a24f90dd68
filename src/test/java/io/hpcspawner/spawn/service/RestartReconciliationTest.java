package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.support.FakeScheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the first watcher round after a restart does with records the previous process left. */
@QuarkusTest
class RestartReconciliationTest {

    @Inject
    FakeScheduler slurm;
    @Inject
    ServerStore store;
    @Inject
    Reconciler tracker;

    @BeforeEach
    void fresh() {
        slurm.reset();
    }

    ServerKey key(String name) {
        return new ServerKey("carol", name + System.nanoTime());
    }

    @Test
    void aStartCutOffMidSubmitAdoptsItsJobFoundByName() {
        ServerRecord r = ServerRecords.submitting(key("adopt"));
        store.save(r);
        FakeScheduler.Job job = slurm.addForeign(r.jobName(), "carol");
        job.phase = JobPhase.PENDING;
        job.state = "PENDING";
        job.node = null;

        tracker.reconcile("testsys");

        ServerRecord after = store.find(r.key()).orElseThrow();
        assertThat(after.jobId()).isEqualTo(job.id);
        assertThat(after.state()).isEqualTo(ServerState.QUEUED);
        assertThat(job.cancelled).isFalse();
        assertThat(slurm.submits.get()).as("never submitted twice").isZero();
    }

    @Test
    void aStartCutOffBeforeItsJobExistedFailsWithAClearMessage() {
        ServerRecord r = ServerRecords.submitting(key("lost"));
        store.save(r);
        tracker.reconcile("testsys");
        ServerRecord after = store.find(r.key()).orElseThrow();
        assertThat(after.state()).isEqualTo(ServerState.FAILED);
        assertThat(after.message()).contains("restarted while submitting").contains("start the server again");
    }

    @Test
    void aServerStoppedBeforeTheRestartHasItsJobCancelled() {
        FakeScheduler.Job job = slurm.addForeign("placeholder", "carol");
        ServerRecord r = ServerRecords.stopping(key("stop"), job.id);
        store.save(r);
        tracker.reconcile("testsys");
        assertThat(job.cancelled).isTrue();
        tracker.reconcile("testsys");
        assertThat(store.find(r.key()).orElseThrow().state()).isEqualTo(ServerState.STOPPED);
    }

    @Test
    void aQueuedServerWhoseJobRunsIsFollowedOn() {
        FakeScheduler.Job job = slurm.addForeign("placeholder2", "carol");
        ServerRecord r = ServerRecords.queued(key("run"), job.id);
        store.save(r);
        tracker.reconcile("testsys");
        ServerRecord after = store.find(r.key()).orElseThrow();
        assertThat(after.state()).isEqualTo(ServerState.STARTING);
        assertThat(after.node()).isEqualTo("nid001");
        assertThat(job.cancelled).isFalse();
    }
}
