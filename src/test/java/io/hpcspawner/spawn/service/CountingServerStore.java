package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.ServerStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A store that passes every call on and counts the durable saves, the repairable ones and the
 * reads of every record ({@code all}, {@code where}).
 */
final class CountingServerStore implements ServerStore {

    final ServerStore store;
    final AtomicInteger saves = new AtomicInteger();
    final AtomicInteger repairableSaves = new AtomicInteger();
    final AtomicInteger fullReads = new AtomicInteger();

    CountingServerStore(ServerStore store) {
        this.store = store;
    }

    @Override
    public Optional<ServerRecord> find(ServerKey key) {
        return store.find(key);
    }

    @Override
    public List<ServerRecord> all() {
        fullReads.incrementAndGet();
        return store.all();
    }

    @Override
    public Optional<ServerRecord> findById(String id) {
        return store.findById(id);
    }

    @Override
    public void save(ServerRecord record) {
        saves.incrementAndGet();
        store.save(record);
    }

    @Override
    public void saveRepairable(ServerRecord record) {
        repairableSaves.incrementAndGet();
        store.saveRepairable(record);
    }

    @Override
    public boolean delete(ServerKey key, String id) {
        return store.delete(key, id);
    }

    @Override
    public List<ServerRecord> ofUser(String user) {
        return store.ofUser(user);
    }

    @Override
    public List<ServerRecord> where(Predicate<ServerRecord> which) {
        fullReads.incrementAndGet();
        return store.where(which);
    }

    @Override
    public Map<ServerState, Long> countsOf(String system) {
        return store.countsOf(system);
    }
}
