package io.hpcspawner.support;

import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/**
 * Puts the {@link FakeScheduler} behind the test system in place of the real adapters. A test
 * profile that sets {@code test.fake-scheduler=false} gets the real composition root instead.
 */
@ApplicationScoped
public class FakeSchedulerWiring {

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    @IfBuildProperty(name = "test.fake-scheduler", stringValue = "true", enableIfMissing = true)
    SchedulerRegistry schedulers(FakeScheduler fake) {
        return new SchedulerRegistry(Map.of("testsys", fake));
    }
}
