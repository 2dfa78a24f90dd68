package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.Names;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Turns what a form or an API caller sent into the chosen profile's options. The form without
 * JavaScript sends every profile's fields at once, each named {@code <profile>.<option>}; API
 * callers send plain {@code <option>} names. Kept: {@code profile}, plain names, and the chosen
 * profile's prefixed names (without the prefix); dropped: other profiles' fields. A plain and a
 * prefixed value for the same option that disagree are refused: the service will not guess.
 */
public final class FormAnswers {

    private static final String PROFILE = "profile";

    private FormAnswers() {
    }

    /**
     * The options of {@code chosen} in {@code sent}, by plain option name (plus {@code profile}).
     *
     * @param profiles every profile key of the site (a prefix that is none of them is kept, and
     *        later refused as an unknown option)
     */
    public static Map<String, String> forProfile(String chosen, Set<String> profiles, Map<String, String> sent) {
        Map<String, String> plain = new LinkedHashMap<>();
        Map<String, String> prefixed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : sent.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            String prefix = dot < 0 ? "" : key.substring(0, dot);
            if (dot < 0 || !profiles.contains(prefix)) {
                plain.put(key, e.getValue());
            } else if (prefix.equals(chosen) && !key.substring(dot + 1).equals(PROFILE)) {
                prefixed.put(key.substring(dot + 1), e.getValue());
            }
        }
        Map<String, String> answers = new LinkedHashMap<>(plain);
        prefixed.forEach((option, value) -> {
            String other = plain.getOrDefault(option, "");
            if (!other.isEmpty() && !value.isEmpty() && !other.equals(value)) {
                throw new InvalidRequestException("invalid_option", "options." + Names.printable(option), option
                        + " was sent twice with different values: \"" + Names.printable(other) + "\" as " + option
                        + " and \"" + Names.printable(value) + "\" as " + chosen + "." + option + "; send one");
            }
            if (!value.isEmpty() || other.isEmpty()) {
                answers.put(option, value);
            }
        });
        return answers;
    }
}
