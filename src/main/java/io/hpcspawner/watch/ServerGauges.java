package io.hpcspawner.watch;

import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.service.SpawnService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;

/** Publishes {@code hpcspawner_servers{state}}: how many servers are in each state right now. */
@ApplicationScoped
public class ServerGauges {

    void register(@Observes StartupEvent event, MeterRegistry meters, SpawnService spawns) {
        for (ServerState state : ServerState.values()) {
            Gauge.builder("hpcspawner.servers", spawns,
                    s -> s.list(Optional.empty()).stream().filter(r -> r.state() == state).count())
                    .tag("state", state.wireName()).description("Servers in this state").register(meters);
        }
    }
}
