package io.hpcspawner.app;

import io.hpcspawner.config.SpawnerConfig.EnvironmentConfig;
import io.hpcspawner.config.SpawnerConfig.OptionConfig;
import io.hpcspawner.config.SpawnerConfig.ProfileConfig;
import io.hpcspawner.spawn.model.Choice;
import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.ProfileOption;
import io.hpcspawner.spawn.model.SoftwareEnvironment;
import io.hpcspawner.spawn.rules.OptionValues;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Resolves a profile's {@code options.*} and {@code environments.*} into the domain's
 * {@link ProfileOption}s and {@link SoftwareEnvironment}s. The keys profiles had before options keep
 * their meaning: cpus/max-cpus, time-limit-minutes/max-time-limit-minutes and account make the
 * cpus, time and account options (always offered); memory makes a fixed memory option; partition
 * is the partition option's default, and the option is offered only when {@code options.partition}
 * is configured. Numbers are kept in their unit (minutes, MiB, counts). Values start-up refuses
 * ({@link ProfileOptionChecks}) are left out here rather than failing twice.
 */
final class ProfileOptions {

    private ProfileOptions() {
    }

    /** The profile's options in {@link OptionName} order. */
    static List<ProfileOption> of(ProfileConfig p) {
        Map<OptionName, ProfileOption> byName = new EnumMap<>(OptionName.class);
        Profile.basicOptions(p.account(), p.cpus(), p.maxCpus().orElse(p.cpus()), p.timeLimitMinutes(),
                p.maxTimeLimitMinutes().orElse(p.timeLimitMinutes())).forEach(o -> byName.put(o.name(), o));
        p.memory().ifPresent(m -> byName.put(OptionName.MEMORY, new ProfileOption(OptionName.MEMORY,
                OptionName.MEMORY.defaultLabel(), "", number(OptionName.MEMORY, m), List.of(), OptionalLong.empty(),
                OptionalLong.empty(), false, true)));
        p.options().forEach((key, config) -> OptionName.of(key).ifPresent(name -> {
            ProfileOption base = byName.getOrDefault(name, name == OptionName.PARTITION
                    ? plain(name, Optional.of(p.partition())) : plain(name, Optional.empty()));
            byName.put(name, merged(base, config, p));
        }));
        if (!p.environments().isEmpty() && !byName.containsKey(OptionName.ENVIRONMENT)) {
            byName.put(OptionName.ENVIRONMENT, merged(plain(OptionName.ENVIRONMENT, Optional.empty()), null, p));
        }
        return List.copyOf(byName.values());
    }

    /** The profile's software environments, in key order. */
    static List<SoftwareEnvironment> environments(ProfileConfig p) {
        List<SoftwareEnvironment> out = new ArrayList<>();
        new java.util.TreeMap<>(p.environments()).forEach((key, e) -> out.add(environment(key, e)));
        return out;
    }

    /** One entry of {@code choices}: {@code value} or {@code value=Label}. */
    static Choice choice(String entry) {
        int eq = entry.indexOf('=');
        String value = (eq < 0 ? entry : entry.substring(0, eq)).strip();
        return new Choice(value, eq < 0 ? value : entry.substring(eq + 1).strip(), "");
    }

    /** A number option's value in its unit, as text; empty when it is not written as one. */
    static Optional<String> number(OptionName name, String text) {
        OptionalLong n = OptionValues.parse(name, text.strip());
        return n.isPresent() ? Optional.of(Long.toString(n.getAsLong())) : Optional.empty();
    }

    private static SoftwareEnvironment environment(String key, EnvironmentConfig e) {
        return new SoftwareEnvironment(key, e.label().orElse(key), e.description().orElse(""),
                e.sbatchOptions().orElse(List.of()), e.prelude().orElse(List.of()));
    }

    private static ProfileOption plain(OptionName name, Optional<String> defaultValue) {
        return new ProfileOption(name, name.defaultLabel(), "", defaultValue, List.of(), OptionalLong.empty(),
                OptionalLong.empty(), false, false);
    }

    private static ProfileOption merged(ProfileOption base, OptionConfig config, ProfileConfig p) {
        OptionName name = base.name();
        boolean isNumber = OptionValues.isNumber(name);
        Optional<String> given = config == null ? Optional.empty() : config.defaultValue().map(String::strip);
        Optional<String> defaultValue = given.isEmpty() ? base.defaultValue()
                : isNumber ? number(name, given.get()) : given;
        List<Choice> choices = config == null ? base.choices()
                : config.choices().map(cs -> cs.stream().map(ProfileOptions::choice).toList()).orElse(base.choices());
        if (name == OptionName.ENVIRONMENT) {
            choices = environments(p).stream().map(e -> new Choice(e.key(), e.label(), e.description())).toList();
            if (defaultValue.isEmpty() && !choices.isEmpty()) {
                defaultValue = Optional.of(choices.get(0).value());
            }
        }
        OptionalLong min = base.min();
        OptionalLong max = base.max();
        if (isNumber) {
            min = bound(name, config == null ? Optional.empty() : config.min(), min,
                    OptionalLong.of(name == OptionName.GPUS ? 0 : 1));
            OptionalLong fallbackMax = defaultValue.map(d -> OptionValues.parse(name, d)).orElse(min);
            max = bound(name, config == null ? Optional.empty() : config.max(), max, fallbackMax);
        }
        String label = config == null ? base.label() : config.label().orElse(base.label());
        String description = config == null ? base.description() : config.description().orElse(base.description());
        boolean fromCluster = base.fromCluster() || config != null && config.fromCluster();
        boolean fixed = base.fixed() || config != null && config.fixed();
        return new ProfileOption(name, label, description, defaultValue, choices, min, max, fromCluster, fixed);
    }

    private static OptionalLong bound(OptionName name, Optional<String> configured, OptionalLong base,
            OptionalLong fallback) {
        if (configured.isPresent()) {
            OptionalLong n = OptionValues.parse(name, configured.get().strip());
            if (n.isPresent()) {
                return n;
            }
        }
        return base.isPresent() ? base : fallback;
    }
}
