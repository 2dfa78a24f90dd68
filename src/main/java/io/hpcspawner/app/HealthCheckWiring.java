package io.hpcspawner.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.credentials.secrets.SecretRef;
import io.hpcspawner.credentials.secrets.SecretResolver;
import io.hpcspawner.probe.CheckSettings;
import io.hpcspawner.probe.HealthChecks;
import io.hpcspawner.probe.HubApi;
import io.hpcspawner.probe.ServerView;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerNotFoundException;
import io.hpcspawner.spawn.port.Sleeper;
import io.hpcspawner.spawn.service.SpawnService;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Builds the end-to-end check from {@code hpcspawner.health-check.*}: the hub's API, its token, and the service's own records. */
@ApplicationScoped
public class HealthCheckWiring {

    /** How often the running check asks the hub and the service. */
    private static final Duration POLL = Duration.ofSeconds(1);
    /** The most one call to the hub or through the proxy may take. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

    @Produces
    @Singleton
    static HealthChecks healthChecks(SpawnerConfig config, SecretResolver secrets, SpawnService spawns, ObjectMapper json,
            Clock clock, Sleeper sleeper, MeterRegistry meters) {
        Optional<CheckSettings> settings = settings(config.healthCheck(), secrets);
        return new HealthChecks(settings,
                settings.map(s -> new HubApi(s.hubApi(), s.hubToken(), CALL_TIMEOUT, json)).orElse(null),
                records(spawns), clock, sleeper, meters);
    }

    /** The check's settings; empty unless both the hub's API URL and a token are configured. */
    static Optional<CheckSettings> settings(SpawnerConfig.HealthCheck c, SecretResolver secrets) {
        if (c.hubApiUrl().isEmpty() || c.hubToken().isEmpty()) {
            return Optional.empty();
        }
        var token = secrets.resolve(SecretRef.parse("hpcspawner.health-check.hub-token", c.hubToken().get()));
        return Optional.of(new CheckSettings(c.hubApiUrl().get(), token::get, c.user(), c.server(), c.publicUrl(),
                Map.copyOf(c.options()), c.timeout(), POLL));
    }

    /** The service's record of the check's server, when it was made since the check began. */
    private static ServerView records(SpawnService spawns) {
        return (user, server, since) -> {
            try {
                var r = spawns.status(new ServerKey(user, server));
                return r.createdAt().isBefore(since) ? Optional.empty()
                        : Optional.of(new ServerView.Seen(r.state().wireName(), r.jobId(), r.node(), r.message()));
            } catch (ServerNotFoundException e) {
                return Optional.empty();
            }
        };
    }
}
