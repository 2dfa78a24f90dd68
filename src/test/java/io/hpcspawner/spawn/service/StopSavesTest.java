package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.store.file.FileServerStore;
import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop makes one durable save, "stopping", before the cancel it starts; "stopped" after the
 * scheduler took the cancel is a fact the scheduler keeps too, so its save does not wait for the
 * directory's fsync (the watcher rebuilds it if a machine crash loses it).
 */
class StopSavesTest {

    @TempDir
    Path dir;

    @Test
    void aStopIsOneDurableSaveBeforeTheCancelAndOneRepairableSaveAfterIt() {
        CountingServerStore store = new CountingServerStore(new FileServerStore(dir));
        Clock clock = Clock.systemUTC();
        ServerLifecycle lifecycle = new ServerLifecycle(store, new ServerLocks(), new ServerEvents(), clock,
                new SpawnMeters(new SimpleMeterRegistry()));
        AtomicInteger durableAtCancel = new AtomicInteger(-1);
        AtomicInteger stateAtCancel = new AtomicInteger(-1);
        FakeScheduler slurm = new FakeScheduler() {
            @Override
            public void cancel(String jobId, String user) {
                durableAtCancel.set(store.saves.get());
                stateAtCancel.set(new FileServerStore(dir).find(new ServerKey("lee", "")).orElseThrow().state().ordinal());
                super.cancel(jobId, user);
            }
        };
        FakeScheduler.Job job = slurm.addForeign("placeholder", "lee");
        ServerRecord running = ServerRecords.queued(new ServerKey("lee", ""), job.id);
        store.store.save(ServerRecords.enter(running, ServerState.RUNNING, "Ready", running.createdAt().plusSeconds(5)));
        StopCancels cancels = new StopCancels(new SchedulerRegistry(Map.of("testsys", slurm)), lifecycle, clock);
        SpawnService spawns = new SpawnService(null, DomainSettings.starts(TestConfigs.from(TestConfigs.minimal())), null,
                lifecycle, null, null, null, null, null, null, null, cancels, clock);

        ServerRecord after = spawns.stop(running.key());

        assertThat(after.state()).isEqualTo(ServerState.STOPPED);
        assertThat(durableAtCancel).as("durable saves when the cancel was sent").hasValue(1);
        assertThat(stateAtCancel).as("what a restart would read then").hasValue(ServerState.STOPPING.ordinal());
        assertThat(store.saves).as("durable saves").hasValue(1);
        assertThat(store.repairableSaves).as("saves that need not wait for the disk").hasValue(1);
        assertThat(slurm.cancels).hasValue(1);
        assertThat(new FileServerStore(dir).find(running.key()).orElseThrow().state())
                .as("after a restart of the process").isEqualTo(ServerState.STOPPED);
    }
}
