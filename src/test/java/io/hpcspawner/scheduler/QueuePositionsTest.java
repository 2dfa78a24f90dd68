package io.hpcspawner.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.scheduler.QueuePositions.Waiting;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueuePositionsTest {

    static final Instant T = Instant.parse("2026-12-03T08:00:00Z");

    @Test
    void higherPriorityGoesFirstThenTheEarlierSubmitThenTheLowerId() {
        Map<String, Integer> at = QueuePositions.of(List.of(
                new Waiting("10", "debug", 100, T.plusSeconds(5)),
                new Waiting("11", "debug", 500, T.plusSeconds(9)),
                new Waiting("12", "debug", 100, T),
                new Waiting("13", "debug", 100, T)));
        assertThat(at).containsExactlyInAnyOrderEntriesOf(Map.of("11", 1, "12", 2, "13", 3, "10", 4));
    }

    @Test
    void onlyJobsOfTheSamePartitionStandAhead() {
        Map<String, Integer> at = QueuePositions.of(List.of(
                new Waiting("1", "gpu", 900, T),
                new Waiting("2", "debug", 100, T.plusSeconds(1)),
                new Waiting("3", "debug", 100, T.plusSeconds(2))));
        assertThat(at).containsExactlyInAnyOrderEntriesOf(Map.of("1", 1, "2", 1, "3", 2));
    }

    @Test
    void aJobQueuedInSeveralPartitionsTakesItsBestPosition() {
        Map<String, Integer> at = QueuePositions.of(List.of(
                new Waiting("1", "debug", 900, T),
                new Waiting("2", "debug", 800, T),
                new Waiting("3", "normal", 500, T),
                new Waiting("4", "debug,normal", 100, T.plusSeconds(1))));
        assertThat(at.get("4")).isEqualTo(2); // third in debug, second in normal behind job 3
        assertThat(at.get("3")).isEqualTo(1);
    }

    @Test
    void positionsAgreeWithCountingTheJobsThatGoFirstOnRandomQueues() {
        java.util.Random random = new java.util.Random(42);
        String[] partitions = {"debug", "normal", "gpu", "debug,normal", "normal,gpu"};
        for (int round = 0; round < 200; round++) {
            List<Waiting> queue = new java.util.ArrayList<>();
            int n = 1 + random.nextInt(40);
            for (int i = 0; i < n; i++) {
                queue.add(new Waiting(Integer.toString(1000 + random.nextInt(5000) * 7 + i),
                        partitions[random.nextInt(partitions.length)], random.nextInt(4) * 100L,
                        T.plusSeconds(random.nextInt(3))));
            }
            java.util.Set<String> wanted = new java.util.HashSet<>();
            queue.stream().filter(w -> random.nextBoolean()).forEach(w -> wanted.add(w.id()));
            Map<String, Integer> expected = new java.util.HashMap<>();
            for (Waiting job : queue) {
                if (wanted.contains(job.id())) {
                    expected.put(job.id(), bestPositionByCounting(job, queue));
                }
            }
            assertThat(QueuePositions.of(queue, wanted)).as("queue %s", queue).isEqualTo(expected);
        }
    }

    /** The definition: in each of its partitions, one more than the jobs there that Slurm considers first. */
    private static int bestPositionByCounting(Waiting job, List<Waiting> queue) {
        int best = Integer.MAX_VALUE;
        for (String p : job.partitions().split(",")) {
            int ahead = 0;
            for (Waiting other : queue) {
                boolean there = java.util.Arrays.asList(other.partitions().split(",")).contains(p);
                boolean first = other.priority() != job.priority() ? other.priority() > job.priority()
                        : !other.submitted().equals(job.submitted()) ? other.submitted().isBefore(job.submitted())
                        : Long.parseLong(other.id()) < Long.parseLong(job.id());
                if (other != job && there && first) {
                    ahead++;
                }
            }
            best = Math.min(best, ahead + 1);
        }
        return best;
    }
}
