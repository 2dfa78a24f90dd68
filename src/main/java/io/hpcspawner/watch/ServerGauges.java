package io.hpcspawner.watch;

import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.service.SpawnMeters;
import io.hpcspawner.spawn.service.SpawnService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Publishes {@code hpcspawner_servers{system,state}}: how many servers of each system are in each
 * state right now, and puts each system's start metrics ({@link SpawnMeters}) at zero at start-up.
 * One scrape reads the records once ({@link ServerCounts}), not once per series.
 */
@ApplicationScoped
public class ServerGauges {

    void register(@Observes StartupEvent event, MeterRegistry meters, SpawnService spawns, SchedulerRegistry schedulers,
            SpawnMeters starts) {
        ServerCounts counts = new ServerCounts(() -> spawns.list(Optional.empty()));
        for (String system : schedulers.systems()) {
            starts.register(system);
            for (ServerState state : ServerState.values()) {
                Gauge.builder("hpcspawner.servers", counts, c -> c.count(system, state))
                        .tag("system", system).tag("state", state.wireName())
                        .description("Servers of the system in this state").strongReference(true).register(meters);
            }
        }
    }

    /** The records' states per system, read at most once a second however many series ask. */
    static final class ServerCounts {
        private static final long FRESH_NANOS = 1_000_000_000L;
        private final Supplier<List<ServerRecord>> records;
        private List<ServerRecord> last = List.of();
        private long readAt;
        private boolean read;

        ServerCounts(Supplier<List<ServerRecord>> records) {
            this.records = records;
        }

        synchronized long count(String system, ServerState state) {
            long now = System.nanoTime();
            if (!read || now - readAt > FRESH_NANOS) {
                last = records.get();
                readAt = now;
                read = true;
            }
            return last.stream().filter(r -> r.state() == state && system.equals(r.system())).count();
        }
    }
}
