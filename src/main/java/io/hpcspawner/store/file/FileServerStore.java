package io.hpcspawner.store.file;

import io.hpcspawner.spawn.port.ServerStore;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.store.RecordJson;
import io.hpcspawner.spawn.model.ServerRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The embedded store: one JSON file per server in a directory, written atomically (temporary
 * file, fsync, rename, fsync of the directory) so a {@code kill -9} at any moment leaves either
 * the old or the new record. All records are also held in memory; reads never touch the disk.
 * Single replica only: two processes must not share the directory.
 */
public final class FileServerStore implements ServerStore {

    private static final Logger LOG = Logger.getLogger(FileServerStore.class);
    private static final String SUFFIX = ".json";
    /** Keys up to this many bytes are named in hex: 2 x 120 + ".json.tmp" stays within 255, every file system's limit. */
    private static final int MAX_HEX_BYTES = 120;

    private final Path directory;
    private final ObjectMapper json;
    private final Map<ServerKey, ServerRecord> records = new ConcurrentHashMap<>();
    /** Server id of each key's current start to its key: the ready callback finds its record in constant time. */
    private final Map<String, ServerKey> keysById = new ConcurrentHashMap<>();
    private int setAside;

    public FileServerStore(Path directory) {
        this.directory = directory;
        this.json = RecordJson.mapper();
        load();
    }

    private void load() {
        try {
            Files.createDirectories(directory);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(AtomicFile.TEMP_SUFFIX)) {
                        Files.deleteIfExists(f); // an interrupted write; the previous version is intact
                    } else if (name.endsWith(SUFFIX)) {
                        ServerRecord r = readOrSetAside(f);
                        if (r != null) {
                            records.merge(r.key(), r, (a, b) -> a.createdAt().isAfter(b.createdAt()) ? a : b);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the server store in " + directory + ": " + e.getMessage(), e);
        }
        records.values().forEach(r -> keysById.put(r.id(), r.key()));
        LOG.infof("Loaded %d server records from %s", records.size(), directory);
    }

    /**
     * One record file; a file that cannot be read as a record (damaged on disk, edited by hand) is
     * renamed to {@code <name>.unreadable-<epoch seconds>} and logged, so the service starts with
     * every other record instead of not at all. An operator can inspect and restore it.
     */
    private ServerRecord readOrSetAside(Path f) throws IOException {
        try {
            return json.readValue(f.toFile(), ServerRecord.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            Path aside = f.resolveSibling(f.getFileName() + ".unreadable-" + java.time.Instant.now().getEpochSecond());
            Files.move(f, aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            setAside++;
            LOG.errorf("Server record %s is unreadable (%s); set aside as %s, the service starts without it",
                    f, e.getOriginalMessage(), aside.getFileName());
            return null;
        }
    }

    /** How many unreadable record files the last load set aside. */
    public int setAside() {
        return setAside;
    }

    @Override
    public Optional<ServerRecord> find(ServerKey key) {
        return Optional.ofNullable(records.get(key)).map(ServerRecord::copy);
    }

    @Override
    public List<ServerRecord> all() {
        List<ServerRecord> result = new ArrayList<>();
        records.values().forEach(r -> result.add(r.copy()));
        return result;
    }

    @Override
    public Optional<ServerRecord> findById(String id) {
        ServerKey key = keysById.get(id);
        return key == null ? Optional.empty() : find(key).filter(r -> r.id().equals(id));
    }

    @Override
    public void save(ServerRecord record) {
        ServerRecord snapshot = record.copy();
        ServerKey key = snapshot.key();
        write(fileOf(key), snapshot);
        keysById.put(snapshot.id(), key);
        ServerRecord previous = records.put(key, snapshot);
        if (previous != null && !previous.id().equals(snapshot.id())) {
            keysById.remove(previous.id(), key);
        }
    }

    @Override
    public boolean delete(ServerKey key, String id) {
        ServerRecord current = records.get(key);
        if (current == null || !current.id().equals(id)) {
            return false;
        }
        try {
            AtomicFile.delete(fileOf(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete server record " + fileOf(key) + ": " + e.getMessage(), e);
        }
        keysById.remove(id, key);
        return records.remove(key, current);
    }

    /**
     * File name from the key: hex of the UTF-8 bytes, so any valid name maps to a safe, unique file;
     * where that is too long for a file name (a 64-character user's 64-character server), the SHA-256
     * of those bytes, as unique. The loader reads the key from the content, so both forms load.
     */
    private Path fileOf(ServerKey key) {
        byte[] name = (key.user() + "\n" + key.server()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (name.length <= MAX_HEX_BYTES) {
            return directory.resolve(java.util.HexFormat.of().formatHex(name) + SUFFIX);
        }
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(name);
            return directory.resolve("sha256-" + java.util.HexFormat.of().formatHex(hash) + SUFFIX);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private void write(Path target, ServerRecord record) {
        try {
            AtomicFile.write(target, json.writeValueAsBytes(record));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write server record " + target + ": " + e.getMessage(), e);
        }
    }
}
