package io.hpcspawner.spawn.model;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One choice in the options form, resolved once from the site's configuration: every default
 * filled in (limits default to the profile's own values, the start timeout to the global one).
 *
 * @param key the profile's key in the configuration
 * @param displayName the name shown to users (the key when the site gives none)
 * @param description one line shown under the name, possibly empty
 * @param system the key of the system the profile submits to
 * @param partition the Slurm partition
 * @param account the account always charged, or empty when the user may name one
 * @param cpus CPUs per task when the user does not choose
 * @param maxCpus the most CPUs a user may ask for
 * @param memory memory per node in Slurm's syntax, if the site sets one
 * @param timeLimitMinutes wall time when the user does not choose
 * @param maxTimeLimitMinutes the longest wall time a user may ask for
 * @param sbatchOptions extra {@code #SBATCH} options fixed by the site
 * @param startTimeout how long a start may wait in the queue and for its ready signal
 */
public record Profile(String key, String displayName, String description, String system, String partition,
        Optional<String> account, int cpus, int maxCpus, Optional<String> memory, int timeLimitMinutes,
        int maxTimeLimitMinutes, List<String> sbatchOptions, Duration startTimeout) {

    public Profile {
        sbatchOptions = List.copyOf(sbatchOptions);
    }
}
