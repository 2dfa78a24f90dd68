package io.hpcspawner.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The read-ahead's budget: never more reserved than its limit, whatever the concurrency. */
class ReadAheadBudgetTest {

    @Test
    void aReservationThatDoesNotFitIsRefusedAndAReleaseMakesRoom() {
        ReadAheadBudget budget = new ReadAheadBudget(100);
        assertThat(budget.tryReserve(60)).isTrue();
        assertThat(budget.tryReserve(41)).isFalse();
        assertThat(budget.held()).isEqualTo(60);
        assertThat(budget.tryReserve(40)).isTrue();
        budget.release(60);
        assertThat(budget.tryReserve(60)).isTrue();
        assertThat(budget.held()).isEqualTo(100);
    }

    @Test
    void concurrentReservationsNeverExceedTheLimit() throws Exception {
        ReadAheadBudget budget = new ReadAheadBudget(1000);
        AtomicInteger granted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        for (int i = 0; i < 8; i++) {
            pool.submit(() -> {
                for (int j = 0; j < 10_000; j++) {
                    if (budget.tryReserve(300)) {
                        granted.incrementAndGet();
                        assertThat(budget.held()).isLessThanOrEqualTo(1000);
                        budget.release(300);
                    }
                }
            });
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(granted.get()).isPositive();
        assertThat(budget.held()).isZero();
    }
}
