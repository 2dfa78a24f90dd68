package io.hpcspawner.spawn.port;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Durable server records, one per (user, server name): the latest start of that server. A save
 * returns only once the record would survive a crash of the process.
 */
public interface ServerStore {

    Optional<ServerRecord> find(ServerKey key);

    List<ServerRecord> all();

    /** The record whose current start has this server id, found without scanning the store. */
    Optional<ServerRecord> findById(String id);

    /** Writes the record, replacing any earlier record of the same key. */
    void save(ServerRecord record);

    /**
     * Deletes the record of {@code key} if it is still the start {@code id} (a newer start of the
     * same server is kept). Returns whether a record was deleted. Callers hold the server's lock.
     */
    boolean delete(ServerKey key, String id);

    /**
     * Calls {@code listener} with each record another replica wrote, as this store learns of it
     * (a store several replicas share); a store of one replica has nothing to report and never
     * calls it. The listener runs on the store's thread and must not block.
     */
    default void onWrittenElsewhere(Consumer<ServerRecord> listener) {
    }
}
