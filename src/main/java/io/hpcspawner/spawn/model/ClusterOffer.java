package io.hpcspawner.spawn.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one system offers one user right now, read from its scheduler (as the user where the API
 * allows) and cached briefly: the form is built from it and a start is checked against it. A part
 * the API cannot tell is empty ({@code Optional.empty()}: unknown), never an empty list, which
 * means "none".
 *
 * @param system the system's key
 * @param available whether the system answered; when not, {@code unavailableReason} says why and
 *        its profiles are shown as unavailable
 * @param unavailableReason words for the user, empty when available
 * @param partitions the partitions, with their limits and load, when known
 * @param accounts the accounts the user may charge, when known
 * @param defaultAccount the user's default account, when known
 * @param reservations the reservations the user may use now or later, when known
 * @param readAt when the scheduler was asked
 */
public record ClusterOffer(String system, boolean available, String unavailableReason,
        Optional<List<PartitionOffer>> partitions, Optional<List<String>> accounts, Optional<String> defaultAccount,
        Optional<List<ReservationOffer>> reservations, Instant readAt) {

    /**
     * One partition as the form shows it.
     *
     * @param name the partition
     * @param up whether it takes jobs now
     * @param maxTimeMinutes the longest wall time, 0 when unlimited or unknown
     * @param maxNodes the most nodes per job, 0 when unlimited or unknown
     * @param totalNodes nodes in the partition
     * @param idleNodes nodes idle now, -1 when unknown
     * @param totalCpus CPUs in the partition
     */
    public record PartitionOffer(String name, boolean up, int maxTimeMinutes, int maxNodes, int totalNodes,
            int idleNodes, int totalCpus) {
    }

    /**
     * One reservation the user may use.
     *
     * @param name the reservation
     * @param partition its partition, empty when any
     * @param start when it starts
     * @param end when it ends
     */
    public record ReservationOffer(String name, Optional<String> partition, Instant start, Instant end) {
    }

    /** A system that did not answer. */
    public static ClusterOffer unavailable(String system, String reason, Instant at) {
        return new ClusterOffer(system, false, reason, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), at);
    }

    public ClusterOffer {
        partitions = partitions.map(List::copyOf);
        accounts = accounts.map(List::copyOf);
        reservations = reservations.map(List::copyOf);
    }
}
