package io.hpcspawner.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.service.Reconciler;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.support.FakeScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A cluster whose API hangs holds up only its own watcher rounds, never another cluster's. */
@QuarkusTest
class WatcherIsolationTest {

    @Inject
    SpawnerConfig config;

    /** Rounds that only count, except on the hanging system, where they wait for the latch. */
    static final class CountingReconciler extends Reconciler {
        final Map<String, AtomicInteger> rounds = new ConcurrentHashMap<>();
        final CountDownLatch hang = new CountDownLatch(1);

        CountingReconciler() {
            super(null, null, null, null, null, null, null, null, null, null, Clock.systemUTC());
        }

        @Override
        public List<ServerRecord> activeRecords(String system) {
            return List.of();
        }

        @Override
        public boolean busy(String system) {
            return false;
        }

        @Override
        public boolean reconcile(String system) {
            rounds.computeIfAbsent(system, s -> new AtomicInteger()).incrementAndGet();
            if (system.equals("hanging")) {
                try {
                    hang.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return true;
        }
    }

    @Test
    void aHangingSystemDoesNotStopTheOthersBeingWatched() {
        CountingReconciler tracker = new CountingReconciler();
        JobWatcher watcher = new JobWatcher(DomainSettings.watching(config), new SchedulerRegistry(Map.of("hanging", new FakeScheduler(),
                "healthy", new FakeScheduler())), tracker, new SimpleMeterRegistry(), Clock.systemUTC());
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
                watcher.tick();
                return tracker.rounds.getOrDefault("healthy", new AtomicInteger()).get() >= 5;
            });
            assertThat(tracker.rounds.get("hanging").get()).as("one round at a time per system").isEqualTo(1);
        } finally {
            tracker.hang.countDown();
            watcher.onStop(null);
        }
    }
}
