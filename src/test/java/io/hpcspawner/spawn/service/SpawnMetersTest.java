package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the spawn panels of the dashboard show after starts that end in each way. */
class SpawnMetersTest {

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final SpawnMeters meters = new SpawnMeters(registry);
    final Instant t0 = Instant.parse("2026-12-03T01:00:00Z");

    @Test
    void everySeriesOfASystemStartsAtZero() {
        meters.register("daint");

        assertThat(registry.find("hpcspawner.spawns").tag("system", "daint").counters()).hasSize(3)
                .allSatisfy(c -> assertThat(c.count()).isZero());
        assertThat(readyTimer().count()).isZero();
    }

    @Test
    void aReadyStartCountsAsReadyWithItsTimeToReadyAndItsQueueWait() {
        ServerRecord r = ServerRecords.inState(ServerState.SUBMITTING, null, t0);
        move(r, ServerState.SUBMITTING, ServerState.QUEUED, t0.plusSeconds(2));
        move(r, ServerState.QUEUED, ServerState.STARTING, t0.plusSeconds(32));
        move(r, ServerState.STARTING, ServerState.RUNNING, t0.plusSeconds(40));

        assertThat(spawns("ready")).isEqualTo(1);
        assertThat(readyTimer().count()).isEqualTo(1);
        assertThat(readyTimer().totalTime(TimeUnit.SECONDS)).isEqualTo(40);
        Timer queue = registry.find("hpcspawner.spawn.queue.wait").tag("system", "testsys").timer();
        assertThat(queue.count()).isEqualTo(1);
        assertThat(queue.totalTime(TimeUnit.SECONDS)).isEqualTo(30);
    }

    @Test
    void aStopBeforeReadyIsCancelledAFailureFailedAndTheEndOfARunningServerNoStartAtAll() {
        ServerRecord stopped = ServerRecords.inState(ServerState.QUEUED, "1", t0);
        move(stopped, ServerState.QUEUED, ServerState.STOPPING, t0.plusSeconds(5));
        move(stopped, ServerState.STOPPING, ServerState.STOPPED, t0.plusSeconds(6));
        ServerRecord failed = ServerRecords.inState(ServerState.STARTING, "2", t0);
        move(failed, ServerState.STARTING, ServerState.FAILED, t0.plusSeconds(5));
        ServerRecord running = ServerRecords.inState(ServerState.RUNNING, "3", t0);
        move(running, ServerState.RUNNING, ServerState.FAILED, t0.plusSeconds(9));

        assertThat(spawns("cancelled")).isEqualTo(1);
        assertThat(spawns("failed")).isEqualTo(1);
        assertThat(spawns("ready")).isZero();
        assertThat(registry.find("hpcspawner.spawn.queue.wait").timers()).allSatisfy(t -> assertThat(t.count()).isZero());
    }

    private void move(ServerRecord r, ServerState from, ServerState to, Instant at) {
        ServerRecords.enter(r, to, to.defaultMessage(), at);
        meters.changed(from, r, at);
    }

    private double spawns(String outcome) {
        var c = registry.find("hpcspawner.spawns").tags("system", "testsys", "outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private Timer readyTimer() {
        return registry.find("hpcspawner.spawn.ready").timer();
    }
}
