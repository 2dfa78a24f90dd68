package io.hpcspawner.spawn.model;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** The configured clusters' domain settings by name, resolved once at start. */
public record Systems(Map<String, SystemSettings> byName) {

    public Systems {
        byName = Map.copyOf(byName);
    }

    /** The settings of a configured system; an unknown name is a programming error (names are checked on input). */
    public SystemSettings get(String name) {
        SystemSettings s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("no system " + name + " is configured (configured: "
                    + new TreeMap<>(byName).keySet() + ")");
        }
        return s;
    }

    /** The configured systems' names. */
    public Set<String> names() {
        return byName.keySet();
    }
}
