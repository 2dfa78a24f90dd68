package io.hpcspawner.spawn.model;

import java.time.Duration;
import java.util.Collection;
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
 * @param options what the user may choose, in {@link OptionName} order; empty: the profile offers
 *        only the classic cpus, time and account (from the fields above)
 * @param environments the software environments the {@code environment} option picks from
 * @param groups the hub groups whose members may use the profile; empty: everyone
 */
public record Profile(String key, String displayName, String description, String system, String partition,
        Optional<String> account, int cpus, int maxCpus, Optional<String> memory, int timeLimitMinutes,
        int maxTimeLimitMinutes, List<String> sbatchOptions, Duration startTimeout, List<ProfileOption> options,
        List<SoftwareEnvironment> environments, List<String> groups) {

    public Profile {
        sbatchOptions = List.copyOf(sbatchOptions);
        options = List.copyOf(options);
        environments = List.copyOf(environments);
        groups = List.copyOf(groups);
    }

    /** A profile open to everyone whose options are the classic cpus, time and account. */
    public Profile(String key, String displayName, String description, String system, String partition,
            Optional<String> account, int cpus, int maxCpus, Optional<String> memory, int timeLimitMinutes,
            int maxTimeLimitMinutes, List<String> sbatchOptions, Duration startTimeout) {
        this(key, displayName, description, system, partition, account, cpus, maxCpus, memory, timeLimitMinutes,
                maxTimeLimitMinutes, sbatchOptions, startTimeout, List.of(), List.of(), List.of());
    }

    /** How this profile offers {@code name}, if it does. */
    public Optional<ProfileOption> option(OptionName name) {
        return options.stream().filter(o -> o.name() == name).findFirst();
    }

    /** Whether a member of {@code userGroups} may use this profile. */
    public boolean openTo(Collection<String> userGroups) {
        return groups.isEmpty() || userGroups.stream().anyMatch(groups::contains);
    }
}
