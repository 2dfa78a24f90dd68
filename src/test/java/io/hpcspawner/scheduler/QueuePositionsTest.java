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
}
