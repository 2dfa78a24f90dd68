package io.hpcspawner.app;

import io.hpcspawner.config.SpawnerConfig.OptionConfig;
import io.hpcspawner.config.SpawnerConfig.ProfileConfig;
import io.hpcspawner.spawn.model.Choice;
import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.rules.OptionValues;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The start-up checks of one profile's {@code options.*} and {@code environments.*}: each problem
 * names its key, what is wrong and how to fix it. The checks of the environments' sbatch options
 * are {@link ConfigChecks}'s own, shared with the profile's.
 */
final class ProfileOptionChecks {

    private static final Set<OptionName> FROM_CLUSTER = EnumSet.of(OptionName.PARTITION, OptionName.ACCOUNT,
            OptionName.RESERVATION, OptionName.QOS);

    private ProfileOptionChecks() {
    }

    /** The problems of profile {@code p} whose keys start with {@code k} (hpcspawner.profiles.P). */
    static void check(String k, ProfileConfig p, List<String> problems) {
        for (Map.Entry<String, OptionConfig> e : p.options().entrySet()) {
            String key = k + ".options." + e.getKey();
            Optional<OptionName> name = OptionName.of(e.getKey());
            if (name.isEmpty()) {
                problems.add(key + ": unknown option \"" + e.getKey() + "\"; known options: " + String.join(", ",
                        Arrays.stream(OptionName.values()).map(OptionName::key).toList()));
            } else {
                check(key, name.get(), e.getValue(), p, problems);
            }
        }
        if (p.options().containsKey(OptionName.ENVIRONMENT.key()) && p.environments().isEmpty()) {
            problems.add(k + ".options.environment: the profile has no environments to choose from; describe each,"
                    + " e.g. " + k + ".environments.jupyter.sbatch-options=--uenv=jupyterlab/5.2:/user-tools,--view=jupyter");
        }
    }

    private static void check(String key, OptionName name, OptionConfig o, ProfileConfig p, List<String> problems) {
        boolean isNumber = OptionValues.isNumber(name);
        if (o.choices().isPresent() && (isNumber || name == OptionName.ENVIRONMENT)) {
            problems.add(key + ".choices: " + name.key() + (isNumber ? " is a number: give min and max instead, e.g. "
                    + key + ".max=" + example(name) : " is chosen from the profile's environments: describe each under"
                    + " environments.<key> instead"));
        }
        if (!isNumber && (o.min().isPresent() || o.max().isPresent())) {
            problems.add(key + ": min and max are for numbers (time, nodes, cpus, memory, gpus); give " + name.key()
                    + " choices instead, e.g. " + key + ".choices=a,b");
        }
        if (o.fromCluster() && !FROM_CLUSTER.contains(name)) {
            problems.add(key + ".from-cluster: the cluster cannot tell " + name.key() + "; only partition, account,"
                    + " reservation and qos come from the cluster");
        }
        if (o.fixed() && o.defaultValue().isEmpty() && !(name == OptionName.PARTITION || name == OptionName.ACCOUNT
                && p.account().isPresent())) {
            problems.add(key + ".fixed: a fixed option needs a default, e.g. " + key + ".default="
                    + (isNumber ? example(name) : "normal"));
        }
        if (isNumber) {
            OptionalLong min = number(key + ".min", name, o.min(), problems);
            OptionalLong max = number(key + ".max", name, o.max(), problems);
            OptionalLong value = number(key + ".default", name, o.defaultValue(), problems);
            if (min.isPresent() && max.isPresent() && min.getAsLong() > max.getAsLong()) {
                problems.add(key + ".min: " + o.min().get() + " is above max=" + o.max().get());
            } else if (value.isPresent() && (min.isPresent() && value.getAsLong() < min.getAsLong()
                    || max.isPresent() && value.getAsLong() > max.getAsLong())) {
                problems.add(key + ".default: " + o.defaultValue().get() + " must lie within min="
                        + o.min().orElse("-") + " and max=" + o.max().orElse("-"));
            }
        } else if (o.defaultValue().isPresent()) {
            List<String> allowed = name == OptionName.ENVIRONMENT ? List.copyOf(p.environments().keySet())
                    : o.choices().map(cs -> cs.stream().map(ProfileOptions::choice).map(Choice::value).toList())
                            .orElse(List.of());
            if ((name == OptionName.ENVIRONMENT || !allowed.isEmpty()) && !allowed.contains(o.defaultValue().get())) {
                problems.add(key + ".default: \"" + o.defaultValue().get() + "\" is not one of "
                        + (name == OptionName.ENVIRONMENT ? "the profile's environments" : "its choices") + ": "
                        + String.join(", ", allowed));
            }
        }
    }

    private static OptionalLong number(String key, OptionName name, Optional<String> text, List<String> problems) {
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        OptionalLong n = OptionValues.parse(name, text.get().strip());
        if (n.isEmpty()) {
            problems.add(key + ": \"" + text.get() + "\" must be " + OptionValues.form(name) + ", e.g. " + example(name));
        }
        return n;
    }

    private static String example(OptionName name) {
        return switch (name) {
            case TIME -> "24:00:00";
            case MEMORY -> "64G";
            default -> "4";
        };
    }
}
