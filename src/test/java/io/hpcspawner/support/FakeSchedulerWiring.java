package io.hpcspawner.support;

import io.hpcspawner.scheduler.SchedulerRegistry;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;

/** Puts the {@link FakeScheduler} behind the test system in place of the real adapter. */
@ApplicationScoped
public class FakeSchedulerWiring {

    @Produces
    @Singleton
    @Alternative
    @Priority(1)
    SchedulerRegistry schedulers(FakeScheduler fake) {
        return new SchedulerRegistry(Map.of("testsys", fake));
    }
}
