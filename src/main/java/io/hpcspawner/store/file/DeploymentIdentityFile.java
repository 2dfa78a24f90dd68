package io.hpcspawner.store.file;

import io.hpcspawner.spawn.model.DeploymentIdentity;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.config.InvalidConfigurationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps the {@link DeploymentIdentity} in {@code deployment.identity} in the store directory:
 * read when there, created (atomically) on the first start otherwise. A configured id
 * ({@code hpcspawner.deployment-id}) is used for a new store and must match an existing one: a
 * store of another deployment is refused rather than adopted, since its jobs are not ours.
 */
public final class DeploymentIdentityFile {

    /** The file's name; not {@code .json}, so the record loader never reads it as a server. */
    public static final String NAME = "deployment.identity";
    private static final Logger LOG = Logger.getLogger(DeploymentIdentityFile.class);
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private DeploymentIdentityFile() {
    }

    /**
     * @param firstRecord when the oldest record already in the store was created (a store written by a
     *        version without identities is as old as its records), empty for none
     */
    public static DeploymentIdentity loadOrCreate(Path directory, Optional<String> configured, Optional<Instant> firstRecord,
            Instant now) {
        Path file = directory.resolve(NAME);
        if (configured.isPresent() && !DeploymentIdentity.ID.matcher(configured.get()).matches()) {
            throw new InvalidConfigurationException(java.util.List.of("hpcspawner.deployment-id must be 6 lowercase"
                    + " letters or digits, e.g. prod01"));
        }
        ObjectMapper json = new ObjectMapper();
        try {
            Files.createDirectories(directory);
            if (Files.exists(file)) {
                JsonNode n = json.readTree(Files.readString(file));
                DeploymentIdentity found = new DeploymentIdentity(n.path("id").asText(),
                        Instant.parse(n.path("createdAt").asText()));
                if (configured.isPresent() && !configured.get().equals(found.id())) {
                    throw new InvalidConfigurationException(java.util.List.of("hpcspawner.deployment-id is "
                            + configured.get() + " but the store in " + directory + " belongs to deployment " + found.id()
                            + " (" + file + "): point hpcspawner.store.directory at this deployment's own store, or remove"
                            + " the setting to use the store's id"));
                }
                return found;
            }
            Instant born = firstRecord.filter(t -> t.isBefore(now)).orElse(now);
            DeploymentIdentity created = new DeploymentIdentity(configured.orElseGet(DeploymentIdentityFile::newId), born);
            String text = json.createObjectNode().put("id", created.id()).put("createdAt", born.toString()).toString();
            AtomicFile.write(file, text.getBytes(StandardCharsets.UTF_8));
            LOG.infof("This deployment's id is %s (new; kept in %s); its jobs are named <prefix>-%s-<server id>",
                    created.id(), file, created.id());
            return created;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the deployment identity " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new IllegalStateException("the deployment identity " + file + " is damaged (" + e.getMessage()
                    + "); restore it from a backup: without it this deployment cannot recognise its jobs", e);
        }
    }

    private static String newId() {
        StringBuilder sb = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }
}
