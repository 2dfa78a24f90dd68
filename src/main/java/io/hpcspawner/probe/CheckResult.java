package io.hpcspawner.probe;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of one end-to-end check, or its progress while it runs.
 *
 * @param state {@code running}, {@code passed} or {@code failed}
 * @param user the check user
 * @param server the check's server name
 * @param startedAt when the check began
 * @param endedAt when it ended, null while it runs
 * @param steps the steps done so far, in order
 * @param error why the check failed, null otherwise
 */
public record CheckResult(String state, String user, String server, Instant startedAt, Instant endedAt,
        List<CheckStep> steps, String error) {

    /** Whether the check ended and every step succeeded. */
    public boolean passed() {
        return "passed".equals(state);
    }

    /** The whole check's duration in seconds so far. */
    public double seconds() {
        return steps.stream().mapToDouble(CheckStep::seconds).sum();
    }
}
