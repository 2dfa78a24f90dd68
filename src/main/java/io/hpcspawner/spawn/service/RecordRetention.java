package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.RetentionRules;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.port.Leadership;
import io.hpcspawner.spawn.port.ServerStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Forgets servers that ended long ago: every hour, the records of stopped and failed servers
 * whose last change is older than {@code hpcspawner.store.retention} are deleted from the store.
 * Active records are never touched; each deletion happens under the server's lock and only if
 * the record is still that ended start, so a new start of the same server is never lost. With
 * several replicas only the leader deletes.
 */
@ApplicationScoped
public class RecordRetention {

    private static final Logger LOG = Logger.getLogger(RecordRetention.class);

    private final Duration retention;
    private final ServerStore store;
    private final ServerLocks locks;
    private final Leadership leadership;
    private final Clock clock;

    public RecordRetention(RetentionRules rules, ServerStore store, ServerLocks locks, Leadership leadership,
            Clock clock) {
        this.retention = rules.endedRecords();
        this.store = store;
        this.locks = locks;
        this.leadership = leadership;
        this.clock = clock;
    }

    @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void everyHour() {
        purge();
    }

    /** Deletes the ended records older than the retention, while this replica leads; returns how many. */
    public int purge() {
        Instant cutoff = clock.instant().minus(retention);
        int deleted = 0;
        for (ServerRecord r : store.where(x -> expired(x, cutoff))) { // copies only the records to delete
            if (!leadership.leads()) {
                break; // another replica may lead already; it purges on its own hour
            }
            if (locks.with(r.key(), () -> store.find(r.key())
                    .filter(current -> current.id().equals(r.id()) && expired(current, cutoff))
                    .map(current -> store.delete(current.key(), current.id())).orElse(false))) {
                deleted++;
            }
        }
        if (deleted > 0) {
            LOG.infof("Deleted %d records of servers that ended before %s (retention %s)", deleted, cutoff, retention);
        }
        return deleted;
    }

    private static boolean expired(ServerRecord r, Instant cutoff) {
        return r.state().isTerminal() && r.updatedAt() != null && r.updatedAt().isBefore(cutoff);
    }
}
