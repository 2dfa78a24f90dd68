package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.store.file.FileServerStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watcher polls a system often while one of its servers starts or stops, and asks that every
 * second: the answer comes from the store's counts, without reading the records.
 */
class WatchPaceTest {

    @TempDir
    Path dir;

    @Test
    void aSystemIsBusyWhileAServerOfItStartsOrStopsAndTheAnswerReadsNoRecord() {
        CountingServerStore store = new CountingServerStore(new FileServerStore(dir));
        ServerLifecycle lifecycle = new ServerLifecycle(store, new ServerLocks(), new ServerEvents(), Clock.systemUTC(),
                new SpawnMeters(new SimpleMeterRegistry()));
        Reconciler reconciler = new Reconciler(null, null, null, lifecycle, null, null, null, null, null, () -> true, Clock.systemUTC());
        ServerRecord running = ServerRecords.queuedOn(new ServerKey("ida", "a"), "1", "alps");
        store.save(ServerRecords.enter(running, ServerState.RUNNING, "Ready", running.createdAt().plusSeconds(5)));
        store.save(ServerRecords.queuedOn(new ServerKey("ida", "b"), "2", "daint"));
        assertThat(reconciler.busy("alps")).as("only a running server").isFalse();
        assertThat(reconciler.busy("daint")).as("a queued server").isTrue();

        ServerRecord stopping = ServerRecords.stopping(new ServerKey("jo", ""), "3");
        store.save(stopping);
        assertThat(reconciler.busy("testsys")).as("a stopping server").isTrue();
        store.save(ServerRecords.enter(stopping, ServerState.STOPPED, "Stopped", stopping.createdAt().plusSeconds(9)));
        assertThat(reconciler.busy("testsys")).as("once stopped").isFalse();
        assertThat(store.fullReads).hasValue(0);
    }
}
