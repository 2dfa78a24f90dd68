package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ServerKey;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/** One lock per server, so changes to one server's record never interleave. */
@ApplicationScoped
public class ServerLocks {

    private final ConcurrentHashMap<ServerKey, ReentrantLock> locks = new ConcurrentHashMap<>();

    public <T> T with(ServerKey key, Supplier<T> work) {
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
