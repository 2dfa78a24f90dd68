package io.hpcspawner.spawn.rules;

import java.util.List;
import java.util.Optional;

/**
 * Which environment variable names a start may not set: names (or prefixes written {@code NAME*})
 * that make a shell, the dynamic linker or an interpreter run code chosen by whoever sets them,
 * less the site's explicit exceptions.
 */
public record EnvironmentRules(List<String> denied, List<String> allowed) {

    /** Whether {@code name} is refused. */
    public boolean refuses(String name) {
        return matchOf(name) != null && allowed.stream().noneMatch(a -> matches(a, name));
    }

    /** The denied pattern {@code name} matches, or null. */
    String matchOf(String name) {
        Optional<String> hit = denied.stream().filter(d -> matches(d, name)).findFirst();
        return hit.orElse(null);
    }

    private static boolean matches(String pattern, String name) {
        return pattern.endsWith("*") ? name.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(name);
    }
}
