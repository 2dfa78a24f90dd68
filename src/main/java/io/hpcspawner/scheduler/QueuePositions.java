package io.hpcspawner.scheduler;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
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

    /** The position (1: next to start) of every job of {@code pending}, by job id. */
    public static Map<String, Integer> of(Collection<Waiting> pending) {
        List<Waiting> jobs = List.copyOf(pending);
        Map<String, Integer> positions = new HashMap<>();
        for (Waiting job : jobs) {
            Set<String> mine = job.partitionSet();
            int best = Integer.MAX_VALUE;
            for (String partition : mine) {
                int ahead = 0;
                for (Waiting other : jobs) {
                    if (other != job && other.partitionSet().contains(partition) && goesFirst(other, job)) {
                        ahead++;
                    }
                }
                best = Math.min(best, ahead + 1);
            }
            positions.put(job.id(), mine.isEmpty() ? 1 : best);
        }
        return positions;
    }

    private static boolean goesFirst(Waiting a, Waiting b) {
        if (a.priority() != b.priority()) {
            return a.priority() > b.priority();
        }
        int bySubmit = a.submitted().compareTo(b.submitted());
        if (bySubmit != 0) {
            return bySubmit < 0;
        }
        return numericId(a.id()) < numericId(b.id());
    }

    private static long numericId(String id) {
        try {
            return Long.parseLong(id);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
