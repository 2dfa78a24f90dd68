package io.hpcspawner.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** dockerfiles/versions.env, where every pin of the images is written once: KEY=value lines, # comments. */
record VersionsEnv(Map<String, String> pins) {

    static final Path FILE = Path.of("dockerfiles/versions.env");

    static VersionsEnv read() {
        try {
            Map<String, String> pins = new LinkedHashMap<>();
            for (String line : Files.readAllLines(FILE)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                if (!line.matches("[A-Z][A-Z0-9_]*=\\S+")) {
                    throw new IllegalStateException(FILE + ": not KEY=value (no spaces, no quotes): " + line);
                }
                String[] keyValue = line.split("=", 2);
                pins.put(keyValue[0], keyValue[1]);
            }
            return new VersionsEnv(Map.copyOf(pins));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String get(String key) {
        String value = pins.get(key);
        if (value == null) {
            throw new IllegalStateException(FILE + " has no " + key);
        }
        return value;
    }

    /** "5.2" of "5.2.1". */
    String majorMinor(String key) {
        String[] parts = get(key).split("\\.");
        return parts[0] + "." + parts[1];
    }
}
