package io.hpcspawner.spawn.model;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the batch script's template comes from, resolved once from the site's configuration.
 *
 * @param file the site's own template, or empty for the built-in one
 */
public record BatchTemplate(Optional<Path> file) {
}
