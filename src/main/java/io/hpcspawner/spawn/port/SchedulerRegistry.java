package io.hpcspawner.spawn.port;

import java.util.Map;
import java.util.Set;

/** The scheduler of each configured system, by system name. */
public final class SchedulerRegistry {

    private final Map<String, Scheduler> bySystem;

    public SchedulerRegistry(Map<String, Scheduler> bySystem) {
        this.bySystem = Map.copyOf(bySystem);
    }

    public Scheduler forSystem(String system) {
        Scheduler s = bySystem.get(system);
        if (s == null) {
            throw new IllegalArgumentException("no system named " + system);
        }
        return s;
    }

    public Set<String> systems() {
        return bySystem.keySet();
    }
}
