package io.hpcspawner.scheduler;

import io.hpcspawner.spawn.port.JobInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where each pending job stands in its partition's queue, in the order Slurm's main scheduler
 * considers them: higher priority first, then the earlier submit, then the lower job id. A job
 * submitted to several partitions ({@code a,b}) competes in each; its position is its best one.
 * Backfill can start a small job earlier than its position says: the position tells how many jobs
 * Slurm means to start first, not a promise.
 */
public final class QueuePositions {

    /**
     * One pending job as a listing shows it.
     *
     * @param partitions the partition names, comma-separated as Slurm writes them
     */
    public record Waiting(String id, String partitions, long priority, Instant submitted) {
        Set<String> partitionSet() {
            return Arrays.stream(partitions.split(",")).map(String::trim).filter(p -> !p.isEmpty())
                    .collect(Collectors.toSet());
        }
    }

    private QueuePositions() {
    }

    /**
     * {@code found} (the service's jobs out of a listing) with the position of each pending one
     * among {@code pending} (every pending job the listing shows, the service's own included).
     */
    public static List<JobInfo> placed(List<JobInfo> found, Collection<Waiting> pending) {
        Map<String, Integer> positions = of(pending, found.stream().map(JobInfo::id).collect(Collectors.toSet()));
        return found.stream().map(j -> positions.containsKey(j.id()) ? j.inQueueAt(positions.get(j.id())) : j)
                .toList();
    }

    /** The position (1: next to start) of every job of {@code pending}, by job id. */
    public static Map<String, Integer> of(Collection<Waiting> pending) {
        return of(pending, pending.stream().map(Waiting::id).collect(Collectors.toSet()));
    }

    /**
     * The position of each job of {@code pending} whose id is in {@code wanted}. Each partition's
     * pending jobs are sorted once (the listing may hold a whole cluster's queue, and the service
     * may own thousands of the jobs in it): a job's position in a partition is one more than the
     * number of jobs that go strictly before it there.
     */
    public static Map<String, Integer> of(Collection<Waiting> pending, Set<String> wanted) {
        Map<String, List<Waiting>> byPartition = new HashMap<>();
        for (Waiting job : pending) {
            for (String p : job.partitionSet()) {
                byPartition.computeIfAbsent(p, k -> new ArrayList<>()).add(job);
            }
        }
        Map<String, Integer> positions = new HashMap<>();
        for (List<Waiting> queue : byPartition.values()) {
            queue.sort(ORDER);
            int ahead = 0; // jobs strictly before the current tie group
            for (int i = 0; i < queue.size(); i++) {
                Waiting job = queue.get(i);
                if (i > 0 && ORDER.compare(queue.get(i - 1), job) < 0) {
                    ahead = i;
                }
                if (wanted.contains(job.id())) {
                    positions.merge(job.id(), ahead + 1, Math::min);
                }
            }
        }
        pending.stream().filter(w -> wanted.contains(w.id())).forEach(w -> positions.putIfAbsent(w.id(), 1));
        return positions;
    }

    /** Slurm's main scheduler's order: higher priority, then earlier submit, then lower numeric job id. */
    private static final Comparator<Waiting> ORDER = Comparator.comparingLong(Waiting::priority).reversed()
            .thenComparing(Waiting::submitted)
            .thenComparingLong(w -> numericId(w.id()));

    private static long numericId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
