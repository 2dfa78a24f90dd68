package io.hpcspawner.spawn.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The starts whose submit this process is making right now. A start without a job id that is not
 * in here was cut off (the process that submitted it died): the watcher resolves it by looking
 * its job up by name instead of waiting for an answer that will never come.
 */
@ApplicationScoped
public class SubmitsInFlight {

    private final Set<String> ids = ConcurrentHashMap.newKeySet();

    void begin(String serverId) {
        ids.add(serverId);
    }

    void end(String serverId) {
        ids.remove(serverId);
    }

    public boolean contains(String serverId) {
        return ids.contains(serverId);
    }
}
