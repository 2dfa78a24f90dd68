package io.hpcspawner.spawn;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A start request after validation: every value here is checked against the site's profile and
 * safe to place in a batch script (after quoting).
 *
 * @param chosenOptions the options as the user chose them, normalised, for the record
 */
public record LaunchPlan(String profile, String system, String unixUser, String workingDirectory, String partition,
        int cpus,
        Optional<String> memory, int timeLimitMinutes, Optional<String> account, List<String> extraSbatchOptions,
        Map<String, String> chosenOptions) {
}
