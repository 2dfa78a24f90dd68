package io.hpcspawner.spawn.model;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The site's profiles by key, in a stable order (by key); resolved once at start. */
public record Profiles(Map<String, Profile> byKey) {

    public Profiles {
        byKey = Collections.unmodifiableMap(new TreeMap<>(byKey));
    }

    /** The profile with this key, if the site has one. */
    public Optional<Profile> find(String key) {
        return Optional.ofNullable(byKey.get(key));
    }
}
