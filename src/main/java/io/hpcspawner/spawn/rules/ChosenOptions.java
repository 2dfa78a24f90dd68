package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.SoftwareEnvironment;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The values a start uses, after {@link OptionRules}: each option of the profile that has one
 * (the user's or the profile's default), numbers in their unit (minutes, MiB, counts).
 *
 * @param values by option, in {@link OptionName} order
 * @param environment the chosen software environment, if the profile has any
 */
public record ChosenOptions(Map<OptionName, String> values, Optional<SoftwareEnvironment> environment) {

    public ChosenOptions {
        values = Collections.unmodifiableMap(values.isEmpty() ? new EnumMap<>(OptionName.class) : new EnumMap<>(values));
    }

    /** The chosen value of {@code name}, empty when none applies (Slurm's default). */
    public Optional<String> get(OptionName name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The chosen number of a number option ({@link OptionValues#NUMBERS}). */
    public OptionalLong number(OptionName name) {
        return get(name).map(v -> OptionValues.parse(name, v)).orElse(OptionalLong.empty());
    }
}
