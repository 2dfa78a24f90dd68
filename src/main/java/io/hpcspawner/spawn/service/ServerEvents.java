package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ProgressEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** Delivers new progress events of a start to whoever follows it (the SSE streams), in order. */
@ApplicationScoped
public class ServerEvents {

    private static final Logger LOG = Logger.getLogger(ServerEvents.class);
    private final Map<String, Set<Consumer<ProgressEvent>>> listeners = new ConcurrentHashMap<>();

    /** Follows the start with this server id; returns the handle that ends it. */
    public AutoCloseable follow(String serverId, Consumer<ProgressEvent> listener) {
        listeners.computeIfAbsent(serverId, k -> new CopyOnWriteArraySet<>()).add(listener);
        return () -> listeners.computeIfPresent(serverId, (k, set) -> {
            set.remove(listener);
            return set.isEmpty() ? null : set;
        });
    }

    void publish(String serverId, ProgressEvent event) {
        for (Consumer<ProgressEvent> l : listeners.getOrDefault(serverId, Set.of())) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.debugf("event listener failed: %s", e.getMessage());
            }
        }
    }
}
