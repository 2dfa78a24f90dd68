package io.hpcspawner.leadership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A leader's claim ends with its renew deadline, counted from the start of its last successful
 * write of the lease, even when the elector never calls back (a partitioned or paused replica).
 */
class LeaseFenceTest {

    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final AtomicBoolean apiAnswers = new AtomicBoolean(true);
    final RenewalClock renewals = new RenewalClock(new Lock() {
        @Override
        public LeaderElectionRecord get(KubernetesClient client) {
            return null;
        }

        @Override
        public void create(KubernetesClient client, LeaderElectionRecord record) {
            update(client, record);
        }

        @Override
        public void update(KubernetesClient client, LeaderElectionRecord record) {
            nanos.addAndGet(Duration.ofMillis(300).toNanos()); // the write takes a while
            if (!apiAnswers.get()) {
                throw new KubernetesClientException("connect timed out");
            }
        }

        @Override
        public String identity() {
            return "replica-a";
        }

        @Override
        public String describe() {
            return "LeaseLock: test - hpcspawner-leader (replica-a)";
        }
    }, nanos::get);

    static LeaderElectionRecord held(String by) {
        ZonedDateTime now = ZonedDateTime.now();
        return new LeaderElectionRecord(by, Duration.ofSeconds(15), now, now, 0);
    }

    @Test
    void theClaimLastsTheRenewDeadlineFromTheStartOfTheLastWrite() {
        Duration deadline = Duration.ofSeconds(10);
        assertThat(renewals.renewedWithin(deadline)).as("before any write").isFalse();

        renewals.create(null, held("replica-a"));
        assertThat(renewals.renewedWithin(deadline)).isTrue();
        nanos.addAndGet(Duration.ofMillis(9_600).toNanos()); // 9.9 s after the write began
        assertThat(renewals.renewedWithin(deadline)).isTrue();
        nanos.addAndGet(Duration.ofMillis(100).toNanos()); // 10 s: another replica may be about to take it
        assertThat(renewals.renewedWithin(deadline)).isFalse();
    }

    @Test
    void aFailedRenewalDoesNotExtendTheClaim() {
        Duration deadline = Duration.ofSeconds(10);
        renewals.update(null, held("replica-a"));
        apiAnswers.set(false);
        for (int i = 0; i < 40; i++) {
            try {
                renewals.update(null, held("replica-a"));
            } catch (KubernetesClientException expected) {
                // the API server is out of reach
            }
        }
        assertThat(renewals.renewedWithin(deadline)).as("12 s of failed renewals").isFalse();
    }

    @Test
    void aReleaseEndsTheClaimAtOnce() {
        renewals.update(null, held("replica-a"));
        renewals.update(null, held(""));
        assertThat(renewals.renewedWithin(Duration.ofSeconds(10))).isFalse();
    }

    @Test
    void settingsThatWouldLetTwoReplicasLeadAreRefusedWithTheirKeys() {
        assertThatThrownBy(() -> LeaseSettings.of("hpcspawner.leadership.", "hpcspawner-leader", Optional.empty(), "pod-1",
                Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .hasMessageContaining("hpcspawner.leadership.lease-duration: PT10S must be longer than renew-deadline");
        assertThatThrownBy(() -> LeaseSettings.of("hpcspawner.leadership.", "hpcspawner-leader", Optional.empty(), "pod-1",
                Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2)))
                .hasMessageContaining("hpcspawner.leadership.renew-deadline: PT2S must be more than 1.2 x retry-period");
        assertThatThrownBy(() -> LeaseSettings.of("hpcspawner.leadership.", "Leader_Lease", Optional.empty(), "",
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)))
                .hasMessageContaining("hpcspawner.leadership.lease-name: 'Leader_Lease' is not a Kubernetes object name")
                .hasMessageContaining("hpcspawner.leadership.identity: empty");
        assertThat(LeaseSettings.of("hpcspawner.leadership.", "hpcspawner-leader", Optional.empty(), "pod-1",
                Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2)).renewDeadline())
                .isEqualTo(Duration.ofSeconds(10));
    }
}
