package io.hpcspawner.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The site's configuration file, named by {@code -Dhpcspawner.config-file=<path>} or
 * {@code HPCSPAWNER_CONFIG_FILE}, read at ordinal {@value #ORDINAL}: above
 * {@code config/application.properties} (260), below environment variables (300) and system
 * properties (400), so that a {@code -D} or an environment variable overrides a key of the file.
 * (A file named by {@code quarkus.config.locations} instead takes the ordinal of whatever named it,
 * 400 for a {@code -D}, and then wins over every other {@code -D}.) A named file that cannot be
 * read stops the start-up, naming the path.
 */
public final class SiteConfigFile implements ConfigSourceFactory {

    /** Where the site file sits among the configuration sources. */
    public static final int ORDINAL = 270;
    static final String KEY = "hpcspawner.config-file";

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue named = context.getValue(KEY);
        if (named == null || named.getValue() == null || named.getValue().isBlank()) {
            return List.of();
        }
        Path file = Path.of(named.getValue().trim());
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalStateException(KEY + ": " + file.toAbsolutePath() + " is not a readable file");
        }
        try {
            return List.of(new PropertiesConfigSource(file.toUri().toURL(), ORDINAL));
        } catch (IOException e) {
            throw new UncheckedIOException(KEY + ": " + file.toAbsolutePath() + " could not be read", e);
        }
    }
}
