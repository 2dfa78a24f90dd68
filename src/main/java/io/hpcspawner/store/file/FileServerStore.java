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
import io.hpcspawner.spawn.model.ServerState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The embedded store: one JSON file per server in a directory, written atomically (temporary
 * file, fsync, rename, fsync of the directory) so a {@code kill -9} at any moment leaves either
 * the old or the new record. All records are also held in memory; reads never touch the disk.
 * Single replica only: two processes must not share the directory.
 *
 * <p>Requests cost the same however many servers there are: records are ordered by user, so one
 * user's records are a contiguous range; a server id leads to its key; the number of records of
 * each system in each state is kept up to date on every save and delete.
 */
public final class FileServerStore implements ServerStore {

    private static final Logger LOG = Logger.getLogger(FileServerStore.class);
    private static final String SUFFIX = ".json";
    /** Keys up to this many bytes are named in hex: 2 x 120 + ".json.tmp" stays within 255, every file system's limit. */
    private static final int MAX_HEX_BYTES = 120;

    private final Path directory;
    private final ObjectMapper json;
    private static final ServerState[] STATES = ServerState.values();

    /** By user, then server name: {@link #ofUser} reads one range. */
    private final ConcurrentNavigableMap<ServerKey, ServerRecord> records = new ConcurrentSkipListMap<>(
            Comparator.comparing(ServerKey::user).thenComparing(ServerKey::server));
    /** Records per system and state (index: the state's ordinal); changed together with {@link #records}, under itself. */
    private final Map<String, long[]> counts = new HashMap<>();
    /** Server id of each key's current start to its key: the ready callback finds its record in constant time. */
    private final Map<String, ServerKey> keysById = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger setAside = new java.util.concurrent.atomic.AtomicInteger();

    public FileServerStore(Path directory) {
        this.directory = directory;
        this.json = RecordJson.mapper();
        load();
    }

    /** Reads every record file, on as many threads as there are cores: parsing 10,000 records is CPU work. */
    private void load() {
        List<Path> recordFiles = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
                for (Path f : files) {
                    String name = f.getFileName().toString();
                    if (name.endsWith(AtomicFile.TEMP_SUFFIX)) {
                        Files.deleteIfExists(f); // an interrupted write; the previous version is intact
                    } else if (name.endsWith(SUFFIX)) {
                        recordFiles.add(f);
                    }
                }
            }
            for (ServerRecord r : readAll(recordFiles)) {
                records.merge(r.key(), r, (a, b) -> a.createdAt().isAfter(b.createdAt()) ? a : b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the server store in " + directory + ": " + e.getMessage(), e);
        }
        synchronized (counts) {
            records.values().forEach(r -> {
                keysById.put(r.id(), r.key());
                count(r, 1);
            });
        }
        LOG.infof("Loaded %d server records from %s", records.size(), directory);
    }

    /** The records of {@code files} (the unreadable ones set aside), read in parallel. */
    private List<ServerRecord> readAll(List<Path> files) throws IOException {
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), files.size() / 500));
        if (threads == 1) {
            return readPart(files);
        }
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "server-store-read");
            t.setDaemon(true);
            return t;
        });
        try {
            List<java.util.concurrent.Future<List<ServerRecord>>> parts = new ArrayList<>();
            int size = (files.size() + threads - 1) / threads;
            for (int from = 0; from < files.size(); from += size) {
                List<Path> part = files.subList(from, Math.min(files.size(), from + size));
                parts.add(pool.submit(() -> readPart(part)));
            }
            List<ServerRecord> result = new ArrayList<>(files.size());
            for (java.util.concurrent.Future<List<ServerRecord>> part : parts) {
                result.addAll(part.get());
            }
            return result;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the server records", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One part of the files, read on one thread. */
    private List<ServerRecord> readPart(List<Path> part) throws IOException {
        List<ServerRecord> result = new ArrayList<>(part.size());
        for (Path f : part) {
            Optional.ofNullable(readOrSetAside(f)).ifPresent(result::add);
        }
        return result;
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
            setAside.incrementAndGet();
            LOG.errorf("Server record %s is unreadable (%s); set aside as %s, the service starts without it",
                    f, e.getOriginalMessage(), aside.getFileName());
            return null;
        }
    }

    /** How many unreadable record files the last load set aside. */
    public int setAside() {
        return setAside.get();
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
    public List<ServerRecord> ofUser(String user) {
        List<ServerRecord> result = new ArrayList<>();
        for (Map.Entry<ServerKey, ServerRecord> e : records.tailMap(new ServerKey(user, "")).entrySet()) {
            if (!e.getKey().user().equals(user)) {
                break;
            }
            result.add(e.getValue().copy());
        }
        return result;
    }

    @Override
    public List<ServerRecord> where(Predicate<ServerRecord> which) {
        List<ServerRecord> result = new ArrayList<>();
        for (ServerRecord r : records.values()) {
            if (which.test(r)) {
                result.add(r.copy());
            }
        }
        return result;
    }

    @Override
    public Map<ServerState, Long> countsOf(String system) {
        Map<ServerState, Long> result = new EnumMap<>(ServerState.class);
        synchronized (counts) {
            long[] n = counts.get(system);
            for (int i = 0; n != null && i < n.length; i++) {
                if (n[i] > 0) {
                    result.put(STATES[i], n[i]);
                }
            }
        }
        return result;
    }

    @Override
    public Optional<ServerRecord> findById(String id) {
        ServerKey key = keysById.get(id);
        return key == null ? Optional.empty() : find(key).filter(r -> r.id().equals(id));
    }

    @Override
    public void save(ServerRecord record) {
        save(record, true);
    }

    /** Without the fsync of the directory: the record's content is on disk, its rename may not be yet. */
    @Override
    public void saveRepairable(ServerRecord record) {
        save(record, false);
    }

    private void save(ServerRecord record, boolean syncDirectory) {
        ServerRecord snapshot = record.copy();
        ServerKey key = snapshot.key();
        write(fileOf(key), snapshot, syncDirectory);
        keysById.put(snapshot.id(), key);
        ServerRecord previous;
        synchronized (counts) {
            previous = records.put(key, snapshot);
            count(previous, -1);
            count(snapshot, 1);
        }
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
        synchronized (counts) {
            if (!records.remove(key, current)) {
                return false;
            }
            count(current, -1);
        }
        return true;
    }

    /** Adds {@code delta} to the count of {@code r}'s system and state (nothing for null). Holds {@link #counts}. */
    private void count(ServerRecord r, int delta) {
        if (r != null) {
            counts.computeIfAbsent(r.system(), s -> new long[STATES.length])[r.state().ordinal()] += delta;
        }
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

    private void write(Path target, ServerRecord record, boolean syncDirectory) {
        try {
            AtomicFile.write(target, json.writeValueAsBytes(record), syncDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write server record " + target + ": " + e.getMessage(), e);
        }
    }
}
