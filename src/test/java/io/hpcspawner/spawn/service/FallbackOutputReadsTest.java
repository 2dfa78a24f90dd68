package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.rules.JobNames;
import io.hpcspawner.spawn.rules.Reconciliation;
import io.hpcspawner.store.file.FileServerStore;
import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.FakeTime;
import io.hpcspawner.support.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wave of starts whose ready callbacks are late (a callback system, the default): the watcher
 * reads their output for the ready line as a fallback, but no more than
 * {@link Reconciliation#FALLBACK_OUTPUT_READS_PER_ROUND} reads a round, every start in its turn, and
 * each start's reads spaced out, where it once read every start's output every round.
 */
class FallbackOutputReadsTest {

    static final String SYSTEM = "testsys";
    static final int WAVE = 4 * Reconciliation.FALLBACK_OUTPUT_READS_PER_ROUND;

    final FakeScheduler scheduler = new FakeScheduler();
    final FakeTime clock = new FakeTime(Instant.now());

    @Test
    void aWaveOfLateCallbacksIsReadInTurnsWithinARoundsBudget(@TempDir Path dir) {
        Map<String, String> p = TestConfigs.minimal();
        SpawnerConfig config = TestConfigs.from(p);
        FileServerStore store = new FileServerStore(dir);
        ServerLifecycle lifecycle = new ServerLifecycle(store, new ServerLocks(), new ServerEvents(), clock,
                new SpawnMeters(new SimpleMeterRegistry()));
        Reconciler reconciler = reconciler(config, lifecycle);
        for (int i = 0; i < WAVE; i++) {
            ServerRecord r = ServerRecords.queuedOn(new ServerKey("user" + i, ""), null, SYSTEM);
            ServerRecords.withJob(r, scheduler.addForeign(r.jobName(), "user" + i).id); // running, no callback yet
            ServerRecords.enter(r, ServerState.STARTING, "Starting", clock.instant());
            store.save(r);
        }

        clock.advance(Duration.ofSeconds(14));
        reconciler.reconcile(SYSTEM);
        assertThat(scheduler.outputReaders).as("within 15 s of starting the callback may still come").isEmpty();

        Set<String> read = new HashSet<>();
        for (int round = 1; round <= 4; round++) {
            clock.advance(Duration.ofSeconds(2));
            scheduler.outputReaders.clear();
            reconciler.reconcile(SYSTEM);
            List<String> thisRound = List.copyOf(scheduler.outputReaders);
            assertThat(thisRound).as("round %d", round).hasSize(Reconciliation.FALLBACK_OUTPUT_READS_PER_ROUND)
                    .doesNotHaveDuplicates().noneMatch(read::contains);
            read.addAll(thisRound);
        }
        assertThat(read).as("every late start had its output read once").hasSize(WAVE);
        assertThat(store.all()).allSatisfy(r -> assertThat(r.state()).isEqualTo(ServerState.STARTING));
    }

    Reconciler reconciler(SpawnerConfig config, ServerLifecycle lifecycle) {
        SchedulerRegistry schedulers = new SchedulerRegistry(Map.of(SYSTEM, scheduler));
        JobNames names = new JobNames(config.jobNamePrefix(),
                new DeploymentIdentity("test01", Instant.now().minus(Duration.ofDays(1))));
        return new Reconciler(DomainSettings.watching(config), DomainSettings.systemsOf(config), schedulers, lifecycle,
                new StopCancels(schedulers, lifecycle, clock),
                new ServerReady(new ReadyAddresses(DomainSettings.systemsOf(config), schedulers), lifecycle), names,
                new OrphanSweep(DomainSettings.orphans(config), names, clock, new SimpleMeterRegistry()),
                new SubmitsInFlight(), () -> true, clock);
    }
}
