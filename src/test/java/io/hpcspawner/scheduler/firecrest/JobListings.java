package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Which jobs a FirecREST v2 listing shows, as the real server does: every active job, and every
 * job that ended within the {@code time_window} (24 hours without one). The windows 2.5.7 takes;
 * any other value is refused (HTTP 400, a validation error). Shared by the simulator and the
 * tests that measure the listing's size.
 */
final class JobListings {

    static final Map<String, Duration> WINDOWS = Map.of("1h", Duration.ofHours(1), "8h", Duration.ofHours(8), "24h",
            Duration.ofHours(24), "3d", Duration.ofDays(3), "7d", Duration.ofDays(7));
    static final Duration DEFAULT = Duration.ofHours(24);

    private JobListings() {
    }

    /** The window a request asks for; empty for a value the server refuses. */
    static Optional<Duration> window(String timeWindow) {
        return timeWindow == null ? Optional.of(DEFAULT) : Optional.ofNullable(WINDOWS.get(timeWindow));
    }

    /** Whether a {@code JobModel} is listed at {@code now} with {@code window}: active, or ended within it. */
    static boolean listed(JsonNode job, Duration window, Instant now) {
        long end = job.path("time").path("end").asLong(0);
        return end <= 0 || !Instant.ofEpochSecond(end).isBefore(now.minus(window));
    }
}
