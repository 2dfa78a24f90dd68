package io.hpcspawner.scheduler.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.support.FakeTime;
import io.hpcspawner.scheduler.SchedulerException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

    final FakeTime time = new FakeTime();
    final CircuitBreaker breaker = new CircuitBreaker("daint", "FirecREST",
            new ResiliencePolicy.Breaker(3, Duration.ofSeconds(30)), time);

    void fail() {
        breaker.failed(new SchedulerException("connection refused", true));
    }

    @Test
    void opensAfterTheThresholdOfConsecutiveFailures() {
        fail();
        fail();
        assertThat(breaker.admit()).isEmpty();
        assertThat(breaker.isOpen()).isFalse();
        fail();

        assertThat(breaker.isOpen()).isTrue();
        Optional<CallRefused> refused = breaker.admit();
        assertThat(refused).isPresent();
        assertThat(refused.get().isTransient()).isTrue();
        assertThat(refused.get().reason()).isEqualTo("breaker_open");
        assertThat(refused.get()).hasMessageContaining("FirecREST for system daint is unreachable since 2026-01-15T10:00:00Z")
                .hasMessageContaining("next try at 2026-01-15T10:00:30Z").hasMessageContaining("connection refused");
        assertThat(refused.get().retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(breaker.refusalIfOpen()).isPresent();
    }

    @Test
    void aSuccessResetsTheCount() {
        fail();
        fail();
        breaker.succeeded();
        fail();
        fail();
        assertThat(breaker.isOpen()).isFalse();
    }

    @Test
    void afterTheCoolDownOneProbeGoesThroughAndItsSuccessCloses() {
        fail();
        fail();
        fail();
        time.advance(Duration.ofSeconds(30));

        assertThat(breaker.refusalIfOpen()).as("refusalIfOpen never starts a probe").isEmpty();
        assertThat(breaker.admit()).as("the probe").isEmpty();
        Optional<CallRefused> second = breaker.admit();
        assertThat(second).as("only one probe at a time").isPresent();
        assertThat(second.get()).hasMessageContaining("a test call is under way");

        breaker.succeeded();
        assertThat(breaker.isOpen()).isFalse();
        assertThat(breaker.admit()).isEmpty();
        assertThat(breaker.admit()).isEmpty();
    }

    @Test
    void aFailedProbeOpensAgainForAFullCoolDown() {
        fail();
        fail();
        fail();
        time.advance(Duration.ofSeconds(31));
        assertThat(breaker.admit()).isEmpty();

        fail();

        assertThat(breaker.admit()).isPresent();
        time.advance(Duration.ofSeconds(29));
        assertThat(breaker.admit()).isPresent();
        time.advance(Duration.ofSeconds(1));
        assertThat(breaker.admit()).isEmpty();
    }

    @Test
    void aProbeThatNeverReportsBackIsReplacedAfterACoolDown() {
        fail();
        fail();
        fail();
        time.advance(Duration.ofSeconds(30));
        assertThat(breaker.admit()).isEmpty(); // the probe, lost

        time.advance(Duration.ofSeconds(29));
        assertThat(breaker.admit()).isPresent();
        time.advance(Duration.ofSeconds(1));
        assertThat(breaker.admit()).as("a new probe").isEmpty();
    }

    @Test
    void anAbandonedProbeLetsTheNextCallProbe() {
        fail();
        fail();
        fail();
        time.advance(Duration.ofSeconds(30));
        assertThat(breaker.admit()).isEmpty();

        breaker.abandoned();

        assertThat(breaker.admit()).isEmpty();
    }
}
