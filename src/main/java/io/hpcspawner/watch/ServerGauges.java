package io.hpcspawner.watch;

import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.service.ServerLifecycle;
import io.hpcspawner.spawn.service.SpawnMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Publishes {@code hpcspawner_servers{system,state}}: how many servers of each system are in each
 * state right now, and puts each system's start metrics ({@link SpawnMeters}) at zero at start-up.
 * The numbers are the store's own counts ({@link ServerLifecycle#countsOf}), asked at most once a
 * second per system however many series a scrape reads; no record is copied.
 */
@ApplicationScoped
public class ServerGauges {

    void register(@Observes StartupEvent event, MeterRegistry meters, ServerLifecycle lifecycle,
            SchedulerRegistry schedulers, SpawnMeters starts) {
        ServerCounts counts = new ServerCounts(lifecycle::countsOf);
        for (String system : schedulers.systems()) {
            starts.register(system);
            for (ServerState state : ServerState.values()) {
                Gauge.builder("hpcspawner.servers", counts, c -> c.count(system, state))
                        .tag("system", system).tag("state", state.wireName())
                        .description("Servers of the system in this state").strongReference(true).register(meters);
            }
        }
    }

    /** Each system's counts per state, asked at most once a second. */
    static final class ServerCounts {
        private static final long FRESH_NANOS = 1_000_000_000L;
        private final Function<String, Map<ServerState, Long>> countsOf;
        private final Map<String, Map<ServerState, Long>> last = new HashMap<>();
        private final Map<String, Long> readAt = new HashMap<>();

        ServerCounts(Function<String, Map<ServerState, Long>> countsOf) {
            this.countsOf = countsOf;
        }

        synchronized long count(String system, ServerState state) {
            long now = System.nanoTime();
            Long at = readAt.get(system);
            if (at == null || now - at > FRESH_NANOS) {
                last.put(system, countsOf.apply(system));
                readAt.put(system, now);
            }
            return last.get(system).getOrDefault(state, 0L);
        }
    }
}
