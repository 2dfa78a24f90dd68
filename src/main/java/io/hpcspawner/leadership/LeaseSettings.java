package io.hpcspawner.leadership;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Kubernetes Lease the replicas compete for, and its timing. A leader renews every
 * {@code retryPeriod}; it gives up leading when it has not renewed for {@code renewDeadline};
 * another replica takes the lease once it has not changed for {@code leaseDuration}. The gap
 * between the two last ones is the margin within which a deposed leader's last step must end.
 *
 * @param namespace empty: the client's namespace (the pod's own, in a cluster)
 */
public record LeaseSettings(String name, Optional<String> namespace, String identity, Duration leaseDuration,
        Duration renewDeadline, Duration retryPeriod) {

    /** fabric8 (as client-go) needs the renew deadline above 1.2 retry periods: each renew try is jittered by up to 20 %. */
    private static final double JITTER = 1.2;

    /** The settings, or the list of what is wrong with them, each naming its key under {@code prefix}. */
    public static LeaseSettings of(String prefix, String name, Optional<String> namespace, String identity,
            Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        List<String> errors = new ArrayList<>();
        if (name == null || !name.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
            errors.add(prefix + "lease-name: '" + name + "' is not a Kubernetes object name, e.g. hpcspawner-leader");
        }
        if (identity == null || identity.isBlank()) {
            errors.add(prefix + "identity: empty; set it, or POD_NAME / HOSTNAME (the chart passes the pod's name)");
        }
        if (retryPeriod.isNegative() || retryPeriod.isZero()) {
            errors.add(prefix + "retry-period: must be positive, e.g. 2s");
        } else if (renewDeadline.toMillis() <= JITTER * retryPeriod.toMillis()) {
            errors.add(prefix + "renew-deadline: " + renewDeadline + " must be more than 1.2 x retry-period ("
                    + retryPeriod + "), e.g. 10s with 2s");
        }
        if (leaseDuration.compareTo(renewDeadline) <= 0) {
            errors.add(prefix + "lease-duration: " + leaseDuration + " must be longer than renew-deadline ("
                    + renewDeadline + "), e.g. 15s with 10s: the difference is the margin of a deposed leader's last step");
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return new LeaseSettings(name, namespace, identity, leaseDuration, renewDeadline, retryPeriod);
    }
}
