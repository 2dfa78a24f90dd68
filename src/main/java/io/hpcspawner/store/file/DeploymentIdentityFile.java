package io.hpcspawner.store.file;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.store.IdentitySlot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Keeps the {@link DeploymentIdentity} in {@code deployment.identity} in the store directory:
 * read when there, created (atomically) on the first start otherwise ({@link IdentitySlot#loadOrCreate}
 * has the rules).
 */
public final class DeploymentIdentityFile implements IdentitySlot {

    /** The file's name; not {@code .json}, so the record loader never reads it as a server. */
    public static final String NAME = "deployment.identity";

    private final Path directory;
    private final ObjectMapper json = new ObjectMapper();

    public DeploymentIdentityFile(Path directory) {
        this.directory = directory;
    }

    /** {@link IdentitySlot#loadOrCreate} on the file in {@code directory}. */
    public static DeploymentIdentity loadOrCreate(Path directory, Optional<String> configured, Optional<Instant> firstRecord,
            Instant now) {
        return IdentitySlot.loadOrCreate(new DeploymentIdentityFile(directory), configured, firstRecord, now,
                "hpcspawner.store.directory");
    }

    @Override
    public Optional<DeploymentIdentity> read() {
        Path file = file();
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            JsonNode n = json.readTree(Files.readString(file));
            return Optional.of(new DeploymentIdentity(n.path("id").asText(), Instant.parse(n.path("createdAt").asText())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the deployment identity " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
            throw new IllegalStateException("the deployment identity " + file + " is damaged (" + e.getMessage()
                    + "); restore it from a backup: without it this deployment cannot recognise its jobs", e);
        }
    }

    @Override
    public boolean create(DeploymentIdentity identity) {
        Path file = file();
        try {
            Files.createDirectories(directory);
            if (Files.exists(file)) {
                return false;
            }
            String text = json.createObjectNode().put("id", identity.id()).put("createdAt", identity.createdAt().toString())
                    .toString();
            AtomicFile.write(file, text.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the deployment identity " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String where() {
        return file().toString();
    }

    private Path file() {
        return directory.resolve(NAME);
    }
}
