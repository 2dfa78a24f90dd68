package io.hpcspawner.spawn;

import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.Map;

/**
 * Job trackers for systems the application's own watcher does not poll: a test runs their rounds
 * itself, with the application's lifecycle, store and sweep, against a scheduler of its choice.
 */
@Singleton
public class Trackers {

    @Inject
    SpawnerConfig config;
    @Inject
    ServerLifecycle lifecycle;
    @Inject
    SpawnService spawns;
    @Inject
    JobNames names;
    @Inject
    OrphanSweep orphans;
    @Inject
    SubmitsInFlight inFlight;
    @Inject
    Clock clock;

    public JobTracker forSystem(String system, Scheduler scheduler) {
        return new JobTracker(DomainSettings.watching(config), DomainSettings.systemsOf(config), new SchedulerRegistry(Map.of(system, scheduler)), lifecycle, spawns, names, orphans,
                inFlight, clock);
    }
}
