package io.hpcspawner.spawn.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A start request after validation: every value here is checked against the site's profile and
 * safe to place in a batch script (after quoting).
 *
 * @param chosenOptions the options as the user chose them, normalised, for the record
 * @param startTimeout how long the start may wait in the queue and for the ready signal (the
 *        profile's queue-timeout); {@code null} means the global hpcspawner.watch.start-timeout
 * @param prelude the chosen software environment's shell lines, run before the system's prelude;
 *        the site's words, never the user's
 */
public record LaunchPlan(String profile, String system, String unixUser, String workingDirectory, String partition,
        int cpus,
        Optional<String> memory, int timeLimitMinutes, Optional<String> account, List<String> extraSbatchOptions,
        Map<String, String> chosenOptions, Duration startTimeout, List<String> prelude) {

    public LaunchPlan {
        prelude = List.copyOf(prelude);
    }

    /** A plan without a software environment's prelude. */
    public LaunchPlan(String profile, String system, String unixUser, String workingDirectory, String partition,
            int cpus, Optional<String> memory, int timeLimitMinutes, Optional<String> account,
            List<String> extraSbatchOptions, Map<String, String> chosenOptions, Duration startTimeout) {
        this(profile, system, unixUser, workingDirectory, partition, cpus, memory, timeLimitMinutes, account,
                extraSbatchOptions, chosenOptions, startTimeout, List.of());
    }

    /** A plan bound by the global start timeout. */
    public LaunchPlan(String profile, String system, String unixUser, String workingDirectory, String partition,
            int cpus, Optional<String> memory, int timeLimitMinutes, Optional<String> account,
            List<String> extraSbatchOptions, Map<String, String> chosenOptions) {
        this(profile, system, unixUser, workingDirectory, partition, cpus, memory, timeLimitMinutes, account,
                extraSbatchOptions, chosenOptions, null);
    }
}
