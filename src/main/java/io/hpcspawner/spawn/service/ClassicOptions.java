package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.ProfileOption;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The options of a profile configured the classic way (cpus, time, account; no {@code options}):
 * the form shows them as it always has, a CPU count, a wall time and an account.
 */
final class ClassicOptions {

    private ClassicOptions() {
    }

    private static final Set<OptionName> CLASSIC = EnumSet.of(OptionName.CPUS, OptionName.TIME, OptionName.ACCOUNT);

    /** Whether the profile offers nothing beyond cpus, time and account (its form looks as it always has). */
    static boolean onlyClassic(Profile p) {
        return p.options().stream().allMatch(o -> CLASSIC.contains(o.name()));
    }

    /** The profile's own options, or the classic three when it lists none. */
    static List<ProfileOption> of(Profile p) {
        if (!p.options().isEmpty()) {
            return p.options();
        }
        ProfileOption cpus = new ProfileOption(OptionName.CPUS, OptionName.CPUS.defaultLabel(), "",
                Optional.of(Integer.toString(p.cpus())), List.of(), OptionalLong.of(1), OptionalLong.of(p.maxCpus()),
                false, false);
        ProfileOption time = new ProfileOption(OptionName.TIME, OptionName.TIME.defaultLabel(), "",
                Optional.of(Integer.toString(p.timeLimitMinutes())), List.of(), OptionalLong.of(1),
                OptionalLong.of(p.maxTimeLimitMinutes()), false, false);
        ProfileOption account = new ProfileOption(OptionName.ACCOUNT, "Account to charge",
                p.account().isPresent() ? "" : "Empty: your default account.", p.account(), List.of(),
                OptionalLong.empty(), OptionalLong.empty(), false, p.account().isPresent());
        return List.of(cpus, time, account);
    }
}
