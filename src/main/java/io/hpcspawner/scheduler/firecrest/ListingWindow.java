package io.hpcspawner.scheduler.firecrest;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The {@code time_window} of one system's job listing. FirecREST v2 lists, besides the active
 * jobs, every job that ended in the last 24 hours (about 600 bytes each) on every call; builds
 * from 2.5.7 accept {@code time_window} ({@code 1h}, {@code 8h}, {@code 24h}, {@code 3d},
 * {@code 7d}) to narrow that. The window asked for is the narrowest of these that still covers
 * the time since the last listing that succeeded, plus {@link #MARGIN} for clocks apart, so
 * every job that ended since then is still in it. Before the first listing that succeeded (after
 * a start) it is {@code 24h}, the server's own default; a job that ended earlier than that is
 * settled by its own look-up, as before.
 *
 * <p>A server that refuses the parameter (HTTP 400 or 422: an older build that validates it) is
 * remembered and listed without it from then on. Builds that ignore unknown parameters (2.5.6)
 * answer as without it. Thread-safe; one per system.
 */
final class ListingWindow {

    private static final Logger LOG = Logger.getLogger(ListingWindow.class);

    /** Allowance for FirecREST's and Slurm's clocks being apart from ours, and for the time on the way. */
    static final Duration MARGIN = Duration.ofMinutes(5);

    /** The windows FirecREST accepts, narrowest first. */
    static final List<Choice> CHOICES = List.of(new Choice("1h", Duration.ofHours(1)), new Choice("8h", Duration.ofHours(8)),
            new Choice("24h", Duration.ofHours(24)), new Choice("3d", Duration.ofDays(3)), new Choice("7d", Duration.ofDays(7)));

    /** What the server lists without a window. */
    static final String DEFAULT = "24h";

    /** One accepted value of {@code time_window} and the time it covers. */
    record Choice(String value, Duration covers) {
    }

    private final String system;
    private Instant lastGood;
    private boolean refused;

    ListingWindow(String system) {
        this.system = system;
    }

    /** The window to send with a listing asked for at {@code now}; empty when the server refused the parameter. */
    synchronized Optional<String> next(Instant now) {
        if (refused) {
            return Optional.empty();
        }
        if (lastGood == null) {
            return Optional.of(DEFAULT);
        }
        Duration needed = Duration.between(lastGood, now).plus(MARGIN);
        for (Choice c : CHOICES) {
            if (c.covers().compareTo(needed) >= 0) {
                return Optional.of(c.value());
            }
        }
        return Optional.of(CHOICES.get(CHOICES.size() - 1).value());
    }

    /** A listing asked for at {@code askedAt} succeeded: every job that ended before then has been seen. */
    synchronized void succeeded(Instant askedAt) {
        if (lastGood == null || askedAt.isAfter(lastGood)) {
            lastGood = askedAt;
        }
    }

    /** The server refused {@code time_window} (HTTP {@code status}): list without it from now on. */
    synchronized void refusedBy(int status, String message) {
        if (!refused) {
            LOG.warnf("FirecREST for system %s refused the listing's time_window (HTTP %d: %s): listing without it from now"
                    + " on (every job that ended in the last 24 hours, on every poll)", system, status, message);
        }
        refused = true;
    }

    /** Whether the server refused the parameter. */
    synchronized boolean refused() {
        return refused;
    }
}
