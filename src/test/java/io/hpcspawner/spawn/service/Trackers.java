package io.hpcspawner.spawn.service;

import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.rules.JobNames;
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
    StopCancels cancels;
    @Inject
    ServerReady ready;
    @Inject
    JobNames names;
    @Inject
    OrphanSweep orphans;
    @Inject
    SubmitsInFlight inFlight;
    @Inject
    Clock clock;

    public Reconciler forSystem(String system, Scheduler scheduler) {
        return new Reconciler(DomainSettings.watching(config), DomainSettings.systemsOf(config), new SchedulerRegistry(Map.of(system, scheduler)), lifecycle, cancels, ready, names, orphans,
                inFlight, () -> true, clock);
    }
}
