package io.hpcspawner.watch;

import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.port.SystemHealth;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * {@code GET /q/health/group/systems} (management port): each cluster's health as its scheduler API reports it
 * (FirecREST's own probes of the scheduler, SSH and file systems; an open circuit breaker), DOWN
 * when any cluster is unhealthy. Deliberately not part of readiness: one cluster down must not
 * take the service away from the others. Answers are reused for {@value #REUSE_SECONDS} s so
 * frequent probes do not load the clusters' APIs; {@code hpcspawner_system_healthy} is 1, 0 or
 * -1 (unknown) per system.
 */
@HealthGroup("systems")
@ApplicationScoped
public class SystemsHealthCheck implements HealthCheck {

    static final long REUSE_SECONDS = 10;

    private final SchedulerRegistry schedulers;
    private final Clock clock;
    private final Map<String, Checked> last = new ConcurrentHashMap<>();

    private record Checked(SystemHealth health, Instant at) {
    }

    public SystemsHealthCheck(SchedulerRegistry schedulers, Clock clock, MeterRegistry meters) {
        this.schedulers = schedulers;
        this.clock = clock;
        for (String system : schedulers.systems()) {
            Gauge.builder("hpcspawner_system_healthy", this, c -> c.gaugeValue(system))
                    .description("1 when the system's scheduler API reports it healthy, 0 unhealthy, -1 unknown (as of the last check)")
                    .tag("system", system).register(meters);
        }
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("systems").up();
        for (String system : new TreeSet<>(schedulers.systems())) {
            SystemHealth health = check(system);
            response.withData(system, health.state().name().toLowerCase(Locale.ROOT) + ": " + health.detail());
            if (health.state() == SystemHealth.State.UNHEALTHY) {
                response.down();
            }
        }
        return response.build();
    }

    private SystemHealth check(String system) {
        Instant now = clock.instant();
        Checked c = last.get(system);
        if (c == null || !now.isBefore(c.at().plus(Duration.ofSeconds(REUSE_SECONDS)))) {
            SystemHealth health;
            try {
                health = schedulers.forSystem(system).health();
            } catch (RuntimeException e) {
                health = SystemHealth.unhealthy(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            c = new Checked(health, now);
            last.put(system, c);
        }
        return c.health();
    }

    private double gaugeValue(String system) {
        Checked c = last.get(system);
        if (c == null) {
            return -1;
        }
        return switch (c.health().state()) {
            case HEALTHY -> 1;
            case UNHEALTHY -> 0;
            case UNKNOWN -> -1;
        };
    }
}
