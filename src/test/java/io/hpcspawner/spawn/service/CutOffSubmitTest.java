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
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Starts whose submit was cut off by a crash (a record without a job id that no submit of this
 * process is making): the job may still appear, since the scheduler may have been creating it when
 * the service died. It is adopted whenever a listing shows it by name; only when none has appeared
 * by {@code watch.submit-deadline} (5 min) does the start fail. The application's own watcher runs
 * the rounds, long after its first (reconciling) one.
 */
@QuarkusTest
class CutOffSubmitTest {

    @Inject
    FakeScheduler slurm;
    @Inject
    ServerStore store;

    @BeforeEach
    void fresh() {
        slurm.reset();
    }

    ServerKey key(String name) {
        return new ServerKey("carol", name + System.nanoTime());
    }

    ServerRecord now(ServerRecord r) {
        return store.find(r.key()).orElseThrow();
    }

    @Test
    void aJobThatShowsUpAfterTheRestartIsAdoptedWithinTheDeadline() {
        ServerRecord r = ServerRecords.submittingSince(key("late"), Instant.now().minusSeconds(60));
        store.save(r);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                .until(() -> now(r).state() == ServerState.SUBMITTING);

        FakeScheduler.Job job = slurm.addForeign(r.jobName(), "carol");
        job.phase = JobPhase.PENDING;
        job.state = "PENDING";
        job.node = null;

        await().atMost(Duration.ofSeconds(3)).until(() -> job.id.equals(now(r).jobId()));
        assertThat(now(r).state()).isEqualTo(ServerState.QUEUED);
        assertThat(job.cancelled).as("adopted, not cancelled as an orphan").isFalse();
        assertThat(slurm.submits.get()).as("never submitted twice").isZero();
    }

    @Test
    void aStartWithNoJobByTheDeadlineFailsSayingSo() {
        ServerRecord r = ServerRecords.submittingSince(key("nojob"), Instant.now().minus(Duration.ofMinutes(6)));
        store.save(r);

        await().atMost(Duration.ofSeconds(3)).until(() -> now(r).state() == ServerState.FAILED);
        assertThat(now(r).message()).contains("no job was created within 5m").contains("start the server again");
    }

    @Test
    void aStopOfAStartCutOffMidSubmitWaitsOneGraceForItsJobThenEnds() {
        ServerRecord r = ServerRecords.stoppingWithoutJob(key("stopwait"), Instant.now().minusSeconds(1));
        store.save(r);

        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(1)).until(() -> now(r).state() == ServerState.STOPPING);
        await().atMost(Duration.ofSeconds(4)).until(() -> now(r).state() == ServerState.STOPPED);
    }

    @Test
    void aStopOfAStartCutOffMidSubmitEndsIt() {
        ServerRecord r = ServerRecords.stoppingWithoutJob(key("stopcut"), Instant.now().minusSeconds(30));
        store.save(r);

        await().atMost(Duration.ofSeconds(3)).until(() -> now(r).state() == ServerState.STOPPED);
    }

    @Test
    void aJobOfAStopCutOffMidSubmitIsCancelledWhenItShowsUp() {
        ServerRecord r = ServerRecords.stoppingWithoutJob(key("stoplate"), Instant.now().minusSeconds(30));
        FakeScheduler.Job job = slurm.addForeign(r.jobName(), "carol");
        store.save(r);

        await().atMost(Duration.ofSeconds(3)).until(() -> job.cancelled);
        await().atMost(Duration.ofSeconds(3)).until(() -> now(r).state() == ServerState.STOPPED);
    }
}
