package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.support.FakeScheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scheduler is asked once per round for all jobs of a system, however many servers there are. */
@QuarkusTest
class BatchedWatchTest {

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

    @Test
    void oneQueryPerRoundFor100Servers() {
        List<ServerRecord> records = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            FakeScheduler.Job job = slurm.addForeign("placeholder-" + i, "dave");
            ServerRecord r = ServerRecords.queued(new ServerKey("dave", "n" + i + "-" + System.nanoTime()), job.id);
            store.save(r);
            records.add(r);
        }
        int before = slurm.queriesOnThisThread();
        tracker.reconcile("testsys");
        assertThat(slurm.queriesOnThisThread() - before).isEqualTo(1);
        for (ServerRecord r : records) {
            assertThat(store.find(r.key()).orElseThrow().state()).isEqualTo(ServerState.STARTING);
        }
        // leave nothing active for other tests' watcher rounds
        slurm.jobs.values().forEach(j -> slurm.end(j, "COMPLETED", 0));
        tracker.reconcile("testsys");
        assertThat(records).allSatisfy(r -> assertThat(store.find(r.key()).orElseThrow().state().isActive()).isFalse());
    }
}
