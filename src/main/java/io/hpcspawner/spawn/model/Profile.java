package io.hpcspawner.spawn.model;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

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
 * @param options what the user may choose, in {@link OptionName} order; cpus, time and account are always there
 * @param environments the software environments the {@code environment} option picks from, possibly none
 * @param groups the JupyterHub groups the profile is open to; empty: everyone
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

    /** A profile offering what profiles offered before options: cpus, time and account, open to everyone. */
    public Profile(String key, String displayName, String description, String system, String partition,
            Optional<String> account, int cpus, int maxCpus, Optional<String> memory, int timeLimitMinutes,
            int maxTimeLimitMinutes, List<String> sbatchOptions, Duration startTimeout) {
        this(key, displayName, description, system, partition, account, cpus, maxCpus, memory, timeLimitMinutes,
                maxTimeLimitMinutes, sbatchOptions, startTimeout,
                basicOptions(account, cpus, maxCpus, timeLimitMinutes, maxTimeLimitMinutes), List.of(), List.of());
    }

    /**
     * The options every profile has had: account (fixed when the site sets one, else the user's,
     * checked against the cluster), time and CPUs as ranges from 1.
     */
    public static List<ProfileOption> basicOptions(Optional<String> account, int cpus, int maxCpus,
            int timeLimitMinutes, int maxTimeLimitMinutes) {
        return List.of(
                new ProfileOption(OptionName.ACCOUNT, OptionName.ACCOUNT.defaultLabel(), "", account, List.of(),
                        OptionalLong.empty(), OptionalLong.empty(), account.isEmpty(), account.isPresent()),
                new ProfileOption(OptionName.TIME, OptionName.TIME.defaultLabel(), "",
                        Optional.of(Integer.toString(timeLimitMinutes)), List.of(), OptionalLong.of(1),
                        OptionalLong.of(maxTimeLimitMinutes), false, false),
                new ProfileOption(OptionName.CPUS, OptionName.CPUS.defaultLabel(), "",
                        Optional.of(Integer.toString(cpus)), List.of(), OptionalLong.of(1), OptionalLong.of(maxCpus),
                        false, false));
    }

    /** How this profile offers {@code name}, or empty when the user may not choose it. */
    public Optional<ProfileOption> option(OptionName name) {
        return options.stream().filter(o -> o.name() == name).findFirst();
    }

    /** Whether a member of {@code userGroups} may see and start this profile. */
    public boolean openTo(Collection<String> userGroups) {
        return groups.isEmpty() || groups.stream().anyMatch(userGroups::contains);
    }

    /** The environment with this key, if the profile has one. */
    public Optional<SoftwareEnvironment> environment(String environmentKey) {
        return environments.stream().filter(e -> e.key().equals(environmentKey)).findFirst();
    }
}
