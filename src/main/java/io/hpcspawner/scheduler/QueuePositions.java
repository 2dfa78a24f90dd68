package io.hpcspawner.scheduler;

import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
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
        return of(pending, pending.stream().map(Waiting::id).collect(Collectors.toSet()));
    }

    /**
     * The position of each job of {@code pending} whose id is in {@code wanted}: one pass over the
     * listing per wanted job (the listing may hold a whole cluster's queue; the service's own jobs
     * are few), each job's partitions split once.
     */
    public static Map<String, Integer> of(Collection<Waiting> pending, Set<String> wanted) {
        Map<Waiting, Set<String>> partitions = new HashMap<>();
        pending.forEach(w -> partitions.put(w, w.partitionSet()));
        Map<String, Integer> positions = new HashMap<>();
        for (Waiting job : pending) {
            if (!wanted.contains(job.id())) {
                continue;
            }
            Set<String> mine = partitions.get(job);
            Map<String, Integer> ahead = new HashMap<>();
            for (Waiting other : pending) {
                if (other != job && goesFirst(other, job)) {
                    for (String p : partitions.get(other)) {
                        if (mine.contains(p)) {
                            ahead.merge(p, 1, Integer::sum);
                        }
                    }
                }
            }
            positions.put(job.id(), mine.stream().mapToInt(p -> ahead.getOrDefault(p, 0) + 1).min().orElse(1));
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
