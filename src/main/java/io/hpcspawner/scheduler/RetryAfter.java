package io.hpcspawner.scheduler;

import io.hpcspawner.spawn.port.SchedulerException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads how long a rate-limited (429) or unavailable (503) answer asks the client to wait, for
 * adapters to put into {@link SchedulerException#retryAfter()}. The order is pyfirecrest's:
 * {@code Retry-After} (delay seconds or an HTTP date), then {@code RateLimit-Reset} (seconds until
 * the window resets; Kong's rate-limiting plugin sends both).
 */
public final class RetryAfter {

    /** A reset value this large is an epoch second, not a delay (some gateways send that). */
    private static final long EPOCH_SECONDS_FROM = 1_000_000_000L;

    private RetryAfter() {
    }

    /**
     * The wait the headers ask for, never negative; empty when they say nothing usable. An HTTP
     * date is measured from the answer's own {@code Date} header when it has one, so a skewed
     * local clock does not stretch or shrink the wait.
     */
    public static Optional<Duration> from(HttpHeaders headers, Instant now) {
        Optional<Duration> retryAfter = headers.firstValue("Retry-After").flatMap(v -> parse(v, headers, now));
        return retryAfter.isPresent() ? retryAfter : headers.firstValue("RateLimit-Reset").flatMap(v -> seconds(v, now));
    }

    private static Optional<Duration> parse(String value, HttpHeaders headers, Instant now) {
        Optional<Duration> seconds = seconds(value, now);
        if (seconds.isPresent()) {
            return seconds;
        }
        return date(value).map(at -> {
            Instant reference = headers.firstValue("Date").flatMap(RetryAfter::date).orElse(now);
            return nonNegative(Duration.between(reference, at));
        });
    }

    private static Optional<Duration> seconds(String value, Instant now) {
        try {
            long s = Long.parseLong(value.trim());
            if (s < 0) {
                return Optional.empty();
            }
            return Optional.of(s >= EPOCH_SECONDS_FROM ? nonNegative(Duration.between(now, Instant.ofEpochSecond(s)))
                    : Duration.ofSeconds(s));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Optional<Instant> date(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
