package io.hpcspawner.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.credentials.SlurmTokenMinter;
import io.hpcspawner.scheduler.Scheduler;
import io.hpcspawner.scheduler.SchedulerRegistry;
import io.hpcspawner.scheduler.slurmrestd.OutputFiles;
import io.hpcspawner.scheduler.slurmrestd.SlurmrestdScheduler;
import io.hpcspawner.store.FileServerStore;
import io.hpcspawner.store.ServerStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/** The composition root: the one place that picks implementations for the ports. */
@ApplicationScoped
public class ServiceWiring {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    @Produces
    @Singleton
    ServerStore serverStore(SpawnerConfig config, ConfigChecks checks) {
        checks.verify();
        return new FileServerStore(config.store().directory());
    }

    @Produces
    @Singleton
    SchedulerRegistry schedulers(SpawnerConfig config, ConfigChecks checks, ObjectMapper json) {
        checks.verify();
        Map<String, Scheduler> bySystem = new LinkedHashMap<>();
        config.systems().forEach((name, system) -> bySystem.put(name, switch (system.backend()) {
            case slurmrestd -> new SlurmrestdScheduler(system.url(),
                    SlurmTokenMinter.fromKeyFile(system.jwtKeyFile().orElseThrow()), system.serviceUser(),
                    system.requestTimeout(), new OutputFiles(system.outputReadable()), json);
        }));
        return new SchedulerRegistry(bySystem);
    }
}
