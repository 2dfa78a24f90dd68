package io.hpcspawner.scheduler.guard;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.port.SchedulerException;
import java.net.ConnectException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The {@code status} label an operator reads on the scheduler-calls panel for each kind of failed attempt. */
class SchedulerCallMetersTest {

    @Test
    void aFailedAttemptIsLabelledByWhatTheApiDid() {
        assertThat(SchedulerCallMeters.status(new SchedulerException("429", true, null, Duration.ofSeconds(5))))
                .isEqualTo("rate_limited");
        assertThat(SchedulerCallMeters.status(new SchedulerException("400 bad partition", false) {
            @Override
            public boolean rejected() {
                return true;
            }
        })).isEqualTo("rejected");
        assertThat(SchedulerCallMeters.status(new SchedulerException("refused", true, new ConnectException("refused"))))
                .isEqualTo("unreachable");
        assertThat(SchedulerCallMeters.status(new SchedulerException("timed out", true))).isEqualTo("unavailable");
        assertThat(SchedulerCallMeters.status(new SchedulerException("cannot parse the answer", false))).isEqualTo("error");
    }
}
