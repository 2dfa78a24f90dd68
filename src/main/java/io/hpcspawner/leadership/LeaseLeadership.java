package io.hpcspawner.leadership;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.hpcspawner.spawn.port.Leadership;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Leadership among several replicas through a {@code coordination.k8s.io/v1} Lease, with the
 * fabric8 leader elector. This replica leads from the elector's "started leading" until its
 * "stopped leading", and only while its last renewal is younger than the renew deadline
 * ({@link RenewalClock}). A replica that lost the lease campaigns again; {@link #stop()} ends it.
 */
public final class LeaseLeadership implements Leadership {

    static final String METER = "hpcspawner.leader";
    private static final Logger LOG = Logger.getLogger(LeaseLeadership.class);

    private final KubernetesClient client;
    private final LeaseSettings settings;
    private final boolean releaseOnStop;
    private final RenewalClock renewals;
    private final AtomicBoolean leading = new AtomicBoolean();
    private CompletableFuture<?> campaign;
    private boolean stopped;

    /**
     * @param releaseOnStop whether {@link #stop()} hands the lease over at once (a clean shutdown),
     *        rather than leaving it to expire (as a killed replica does)
     */
    public LeaseLeadership(KubernetesClient client, LeaseSettings settings, boolean releaseOnStop, MeterRegistry meters) {
        this(client, settings, releaseOnStop, meters, System::nanoTime);
    }

    LeaseLeadership(KubernetesClient client, LeaseSettings settings, boolean releaseOnStop, MeterRegistry meters,
            LongSupplier nanos) {
        this.client = client;
        this.settings = settings;
        this.releaseOnStop = releaseOnStop;
        String namespace = settings.namespace().orElseGet(() -> client.getNamespace() == null ? "default"
                : client.getNamespace());
        this.renewals = new RenewalClock(new LeaseLock(namespace, settings.name(), settings.identity()), nanos);
        Gauge.builder(METER, this, l -> l.leads() ? 1 : 0).tag("identity", settings.identity())
                .description("1 while this replica runs the watcher and the record retention, 0 while another does")
                .register(meters);
    }

    /** Starts campaigning for the lease (in the background). */
    public synchronized void start() {
        if (stopped || campaign != null) {
            return;
        }
        campaign();
    }

    /** Stops campaigning and leading; with {@code releaseOnStop}, the lease is handed over at once. */
    public synchronized void stop() {
        stopped = true;
        if (campaign != null) {
            campaign.cancel(true);
        }
        leading.set(false);
    }

    @Override
    public boolean leads() {
        return leading.get() && renewals.renewedWithin(settings.renewDeadline());
    }

    /** This replica's name in the lease. */
    public String identity() {
        return settings.identity();
    }

    private synchronized void campaign() {
        if (stopped) {
            return;
        }
        CompletableFuture<?> round = client.leaderElector().withConfig(new LeaderElectionConfig(renewals,
                settings.leaseDuration(), settings.renewDeadline(), settings.retryPeriod(),
                new LeaderCallbacks(this::gained, this::lost, this::observed), releaseOnStop, settings.name()))
                .build().start();
        campaign = round;
        // The elector ends when this replica loses the lease; campaign again unless stopped.
        round.whenComplete((done, failure) -> {
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause != null && !(cause instanceof CancellationException)) {
                LOG.warnf("Leader election for lease %s ended with an error: %s", settings.name(), cause.toString());
            }
            CompletableFuture.runAsync(this::campaign, CompletableFuture.delayedExecutor(
                    settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS));
        });
    }

    private void gained() {
        leading.set(true);
        LOG.infof("Replica %s now leads (lease %s): it runs the watcher and the record retention; each system's"
                + " first round reconciles its records", settings.identity(), settings.name());
    }

    private void lost() {
        if (leading.getAndSet(false)) {
            LOG.warnf("Replica %s no longer leads (lease %s): its watcher rounds stop before their next step",
                    settings.identity(), settings.name());
        }
    }

    private void observed(String leader) {
        if (leader != null && !leader.isEmpty() && !settings.identity().equals(leader)) { // empty: released
            LOG.infof("Replica %s follows %s (lease %s)", settings.identity(), leader, settings.name());
        }
    }
}
