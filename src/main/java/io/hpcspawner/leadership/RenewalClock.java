package io.hpcspawner.leadership;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The lease lock, remembering when this replica's last successful write of the lease began (on
 * this JVM's monotonic clock). Another replica may take the lease only once its clock is past the
 * renew time written in the lease (taken before the write began) plus the lease duration; so while
 * less than the renew deadline has passed since the write began, no other replica can lead, as
 * long as the clocks agree within the lease duration minus the renew deadline. This fence holds
 * even when the elector's "stopped leading" callback comes late or never.
 */
final class RenewalClock implements Lock {

    private static final long NEVER = Long.MIN_VALUE;

    private final Lock lock;
    private final LongSupplier nanos;
    private volatile long lastWriteStart = NEVER;

    RenewalClock(Lock lock, LongSupplier nanos) {
        this.lock = lock;
        this.nanos = nanos;
    }

    /** True while less than {@code deadline} has passed since the start of this replica's last successful write. */
    boolean renewedWithin(Duration deadline) {
        long start = lastWriteStart;
        return start != NEVER && nanos.getAsLong() - start < deadline.toNanos();
    }

    @Override
    public LeaderElectionRecord get(KubernetesClient client) {
        return lock.get(client);
    }

    @Override
    public void create(KubernetesClient client, LeaderElectionRecord record) {
        long start = nanos.getAsLong();
        lock.create(client, record);
        noteWrite(record, start);
    }

    @Override
    public void update(KubernetesClient client, LeaderElectionRecord record) {
        long start = nanos.getAsLong();
        lock.update(client, record);
        noteWrite(record, start);
    }

    private void noteWrite(LeaderElectionRecord record, long start) {
        // a release writes an empty holder: from then on this replica holds nothing
        lastWriteStart = identity().equals(record.getHolderIdentity()) ? start : NEVER;
    }

    @Override
    public String identity() {
        return lock.identity();
    }

    @Override
    public String describe() {
        return lock.describe();
    }
}
