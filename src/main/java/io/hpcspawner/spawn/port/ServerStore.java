package io.hpcspawner.spawn.port;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Durable server records, one per (user, server name): the latest start of that server. A save
 * returns only once the record would survive a crash of the process.
 *
 * <p>The default methods are correct for any store but read every record; a store that keeps
 * indexes overrides them so that a request's cost does not grow with the number of servers.
 */
public interface ServerStore {

    Optional<ServerRecord> find(ServerKey key);

    List<ServerRecord> all();

    /** The record whose current start has this server id, found without scanning the store. */
    Optional<ServerRecord> findById(String id);

    /** Writes the record, replacing any earlier record of the same key. */
    void save(ServerRecord record);

    /**
     * As {@link #save}, for a change the watcher rebuilds from the scheduler if it is lost (e.g.
     * the scheduler took a job's cancel): the store may return before the change would survive a
     * crash of the machine, but a crash leaves the previous version or this one, never a part.
     * Readers of this store see the change at once. The default is a durable {@link #save}.
     */
    default void saveRepairable(ServerRecord record) {
        save(record);
    }

    /**
     * Deletes the record of {@code key} if it is still the start {@code id} (a newer start of the
     * same server is kept). Returns whether a record was deleted. Callers hold the server's lock.
     */
    boolean delete(ServerKey key, String id);

    /** The records of {@code user}'s servers (copies, like {@link #all()}), without copying anyone else's. */
    default List<ServerRecord> ofUser(String user) {
        return all().stream().filter(r -> r.user().equals(user)).toList();
    }

    /**
     * Copies of the records {@code which} accepts; only those are copied. {@code which} may be
     * handed the stored records themselves: it must only read them.
     */
    default List<ServerRecord> where(Predicate<ServerRecord> which) {
        return all().stream().filter(which).toList();
    }

    /** How many records of {@code system} are in each state (a state with none may be left out). */
    default Map<ServerState, Long> countsOf(String system) {
        Map<ServerState, Long> counts = new EnumMap<>(ServerState.class);
        all().stream().filter(r -> r.system().equals(system)).forEach(r -> counts.merge(r.state(), 1L, Long::sum));
        return counts;
    }

    /**
     * Calls {@code listener} with each record another replica wrote, as this store learns of it
     * (a store several replicas share); a store of one replica has nothing to report and never
     * calls it. The listener runs on the store's thread and must not block.
     */
    default void onWrittenElsewhere(Consumer<ServerRecord> listener) {
    }
}
