package io.hpcspawner.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    static final Instant NOW = Instant.parse("2026-01-15T10:00:00Z");

    static Optional<Duration> asked(String... nameValue) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put(nameValue[i], List.of(nameValue[i + 1]));
        }
        return RetryAfter.from(HttpHeaders.of(m, (a, b) -> true), NOW);
    }

    @Test
    void delaySeconds() {
        assertThat(asked("Retry-After", "120")).contains(Duration.ofSeconds(120));
        assertThat(asked("Retry-After", " 0 ")).contains(Duration.ZERO);
    }

    @Test
    void anHttpDateIsMeasuredFromTheAnswersOwnDate() {
        // The local clock (NOW) is an hour off; the answer's Date header is the reference.
        assertThat(asked("Retry-After", "Thu, 15 Jan 2026 11:00:30 GMT", "Date", "Thu, 15 Jan 2026 11:00:00 GMT"))
                .contains(Duration.ofSeconds(30));
    }

    @Test
    void anHttpDateWithoutADateHeaderIsMeasuredFromNow() {
        assertThat(asked("Retry-After", "Thu, 15 Jan 2026 10:01:00 GMT")).contains(Duration.ofMinutes(1));
    }

    @Test
    void aDateInThePastMeansNoWait() {
        assertThat(asked("Retry-After", "Thu, 15 Jan 2026 09:00:00 GMT")).contains(Duration.ZERO);
    }

    @Test
    void rateLimitResetWhenThereIsNoRetryAfter() {
        assertThat(asked("RateLimit-Reset", "7")).contains(Duration.ofSeconds(7));
        assertThat(asked("Retry-After", "3", "RateLimit-Reset", "7")).contains(Duration.ofSeconds(3));
    }

    @Test
    void aResetGivenAsAnEpochSecondIsAnInstant() {
        assertThat(asked("RateLimit-Reset", Long.toString(NOW.getEpochSecond() + 42))).contains(Duration.ofSeconds(42));
    }

    @Test
    void garbageOrNegativeOrNothingSaysNothing() {
        assertThat(asked("Retry-After", "soon")).isEmpty();
        assertThat(asked("Retry-After", "-5")).isEmpty();
        assertThat(asked()).isEmpty();
        // An unusable Retry-After falls back to RateLimit-Reset.
        assertThat(asked("Retry-After", "soon", "RateLimit-Reset", "4")).contains(Duration.ofSeconds(4));
    }

    @Test
    void headerNamesAreCaseInsensitive() {
        assertThat(asked("retry-after", "9")).contains(Duration.ofSeconds(9));
    }
}
