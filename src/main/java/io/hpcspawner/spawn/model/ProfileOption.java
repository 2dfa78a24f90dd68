package io.hpcspawner.spawn.model;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How one profile offers one option, resolved once from the site's configuration. An option the
 * profile does not list is not the user's to choose (the profile's fixed value or Slurm's default
 * applies); a listed option is one of:
 * <ul>
 * <li><b>fixed</b>: {@code fixed} set; shown, not changeable; a request may only repeat it;</li>
 * <li><b>choice</b>: {@code choices} not empty; the request picks one (an empty value: the default);</li>
 * <li><b>range</b>: {@code min}/{@code max} set (time in minutes, memory in MiB, counts);</li>
 * <li><b>from the cluster</b>: {@code fromCluster} set (partition, account, reservation, qos):
 *     the allowed values are what the cluster offers this user now, narrowed to {@code choices}
 *     when the site lists some.</li>
 * </ul>
 *
 * @param name which option
 * @param label what the form calls it
 * @param description one line of help under the field, possibly empty
 * @param defaultValue the value when the request leaves the option empty; empty: none (Slurm's default)
 * @param choices the allowed values, in the site's order; empty when not a choice
 * @param min the smallest allowed value of a range option
 * @param max the largest allowed value of a range option
 * @param fromCluster whether the allowed values are read from the cluster for the user
 * @param fixed whether the user may not change the default
 */
public record ProfileOption(OptionName name, String label, String description, Optional<String> defaultValue,
        List<Choice> choices, OptionalLong min, OptionalLong max, boolean fromCluster, boolean fixed) {

    public ProfileOption {
        choices = List.copyOf(choices);
    }

    /** The key of this option in requests and forms. */
    public String key() {
        return name.key();
    }
}
