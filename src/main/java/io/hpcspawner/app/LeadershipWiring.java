package io.hpcspawner.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.hpcspawner.config.InvalidConfigurationException;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.leadership.LeaseLeadership;
import io.hpcspawner.leadership.LeaseSettings;
import io.hpcspawner.leadership.SoleReplica;
import io.hpcspawner.spawn.port.Leadership;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Optional;

/**
 * Chooses this replica's leadership: always the leader (one replica, the default), or elected
 * through a Kubernetes Lease ({@code hpcspawner.leadership.enabled=true}). The election starts
 * with the application and hands the lease over on a clean shutdown.
 */
@ApplicationScoped
public class LeadershipWiring {

    private static final String PREFIX = "hpcspawner.leadership.";

    private LeaseLeadership lease;

    @Produces
    @Singleton
    Leadership leadership(SpawnerConfig config, Instance<KubernetesClient> kubernetes, MeterRegistry meters) {
        SpawnerConfig.LeaderElection election = config.leadership();
        String identity = election.identity().or(() -> env("POD_NAME")).or(() -> env("HOSTNAME"))
                .orElse(election.enabled() ? "" : "hpcspawner");
        if (!election.enabled()) {
            return new SoleReplica(identity, meters);
        }
        LeaseSettings settings;
        try {
            settings = LeaseSettings.of(PREFIX, election.leaseName(), election.leaseNamespace(), identity,
                    election.leaseDuration(), election.renewDeadline(), election.retryPeriod());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(List.of(e.getMessage().split("; ")));
        }
        synchronized (this) {
            lease = new LeaseLeadership(kubernetes.get(), settings, true, meters);
            lease.start();
        }
        return lease;
    }

    /** Campaigns from start-up on, not from the first watcher round. */
    void campaign(@Observes StartupEvent event, Leadership leadership) {
        leadership.leads();
    }

    synchronized void handOver(@Observes ShutdownEvent event) {
        if (lease != null) {
            lease.stop();
        }
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }
}
