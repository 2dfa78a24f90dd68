package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ProgressEvent;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.StaleRecordException;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.spawn.model.Change;
import io.hpcspawner.spawn.rules.Lifecycle;
import io.hpcspawner.spawn.rules.Observation;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Where a server's state changes: under the server's lock, on the start it was meant for (a late
 * observation of an earlier start is ignored), by the rules of {@link Lifecycle}, persisted before
 * it is announced, with a progress event when the user should see it.
 */
@ApplicationScoped
public class ServerLifecycle {

    private static final Logger LOG = Logger.getLogger(ServerLifecycle.class);
    /** How often one change is tried when other replicas keep changing its record first. */
    private static final int SAVE_ATTEMPTS = 3;

    private final ServerStore store;
    private final ServerLocks locks;
    private final ServerEvents events;
    private final Clock clock;
    private final SpawnMeters meters;

    public ServerLifecycle(ServerStore store, ServerLocks locks, ServerEvents events, Clock clock, SpawnMeters meters) {
        this.store = store;
        this.locks = locks;
        this.events = events;
        this.clock = clock;
        this.meters = meters;
        // Another replica's change (the leader's watcher, a ready callback there): its events reach the
        // progress streams open on this replica; a stream sends each event once, whoever publishes it.
        store.onWrittenElsewhere(r -> r.events().forEach(e -> events.publish(r.id(), e)));
    }

    /** Persists a new start in state submitting, before its job is submitted. */
    void begin(ServerRecord fresh, Observation.Begin seen) {
        Instant now = clock.instant();
        Lifecycle.decide(fresh, seen, now).ifPresent(c -> apply(fresh, seen, c, now));
        save(fresh, 0, true);
    }

    /** The submit returned a job id. Returns the record after the change: if it is stopping, the caller cancels. */
    public Optional<ServerRecord> submitted(ServerKey key, String id, String jobId) {
        return observe(key, id, new Observation.Submitted(jobId));
    }

    /** The job is waiting; {@code reason} is the scheduler's pending reason, {@code expectedStart} its estimate, if any. */
    public Optional<ServerRecord> pending(ServerKey key, String id, Optional<String> reason,
            Optional<Instant> expectedStart) {
        return pending(key, id, reason, expectedStart, Optional.empty());
    }

    /** The job is waiting, at {@code queuePosition} in its partition's queue where the listing tells. */
    public Optional<ServerRecord> pending(ServerKey key, String id, Optional<String> reason,
            Optional<Instant> expectedStart, Optional<Integer> queuePosition) {
        return observe(key, id, new Observation.JobPending(reason, expectedStart, queuePosition));
    }

    /** The job runs on {@code node}; the server inside it is not ready yet. */
    public Optional<ServerRecord> jobRunning(ServerKey key, String id, Optional<String> node) {
        return observe(key, id, new Observation.JobRunning(node));
    }

    /** The ready signal arrived: the server listens at host:port. */
    public Optional<ServerRecord> ready(ServerKey key, String id, String node, String host, int port) {
        return observe(key, id, new Observation.Ready(node, host, port));
    }

    /** A stop was asked for (whichever start is current); the job (if any) is about to be cancelled. */
    public Optional<ServerRecord> stopRequested(ServerKey key) {
        return locks.with(key, () -> afterLostRaces(key, () -> store.find(key).map(r -> {
            change(r, new Observation.StopAsked());
            return r;
        })));
    }

    /**
     * Something the user should see while the start waits, e.g. that its cluster cannot be reached
     * and when the next try is: a progress event and the record's message, the state unchanged.
     * Nothing happens once the start has moved on from submitting.
     */
    public Optional<ServerRecord> waiting(ServerKey key, String id, String text) {
        return observe(key, id, new Observation.SubmitWaiting(text));
    }

    /** The scheduler did not answer: the state stays as it is, only the doubt is recorded. */
    public Optional<ServerRecord> unknown(ServerKey key, String id, String problem) {
        return observe(key, id, new Observation.SchedulerUnknown(problem));
    }

    /** The job is missing from the scheduler's answer since this moment (null once it is seen again). */
    public Optional<ServerRecord> missing(ServerKey key, String id) {
        return observe(key, id, new Observation.JobMissing());
    }

    /**
     * What {@code seen} changes in start {@code id} of server {@code key} ({@link Lifecycle}'s rules),
     * saved and announced; an observation of another start changes nothing. Returns the record
     * after the change, empty when the start is no longer the server's current one.
     */
    public Optional<ServerRecord> observe(ServerKey key, String id, Observation seen) {
        return locks.with(key, () -> afterLostRaces(key, () -> {
            Optional<ServerRecord> current = store.find(key).filter(r -> r.id().equals(id));
            current.ifPresent(r -> change(r, seen));
            return current;
        }));
    }

    /**
     * Runs {@code readDecideSave} again when its save lost a race to another replica's write of the
     * same record ({@link StaleRecordException}): it reads the record as it is now and decides again,
     * so neither change is lost. A few tries; a record changing that often is left to the caller.
     */
    private <T> T afterLostRaces(ServerKey key, java.util.function.Supplier<T> readDecideSave) {
        for (int attempt = 1;; attempt++) {
            try {
                return readDecideSave.get();
            } catch (StaleRecordException e) {
                if (attempt == SAVE_ATTEMPTS) {
                    throw e;
                }
                LOG.debugf("Server %s: the record changed elsewhere meanwhile; reading it again", key);
            }
        }
    }

    public Optional<ServerRecord> find(ServerKey key) {
        return store.find(key);
    }

    public Optional<ServerRecord> findById(String id) {
        return store.findById(id);
    }

    public List<ServerRecord> all() {
        return store.all();
    }

    /** The records of one user's servers, without reading anyone else's. */
    public List<ServerRecord> ofUser(String user) {
        return store.ofUser(user);
    }

    /** The records {@code which} accepts (it is handed stored records and must only read them). */
    public List<ServerRecord> where(java.util.function.Predicate<ServerRecord> which) {
        return store.where(which);
    }

    /** How many servers of {@code system} are in each state right now. */
    public java.util.Map<ServerState, Long> countsOf(String system) {
        return store.countsOf(system);
    }

    /** Under the lock: decides, applies and saves (announcing new events). */
    private void change(ServerRecord r, Observation seen) {
        Instant now = clock.instant();
        Lifecycle.decide(r, seen, now).ifPresent(c -> {
            long before = r.lastEventId();
            ServerState was = r.state();
            apply(r, seen, c, now);
            save(r, before, !seen.schedulerKeepsIt());
            meters.changed(was, r, now);
        });
    }

    private static void apply(ServerRecord r, Observation seen, Change c, Instant now) {
        r.apply(c, now);
        try (ServerLogFields fields = ServerLogFields.of(r)) { // after the change: with the job id it may bring
            if (c.event()) {
                LOG.infof("Server %s (%s, job %s): %s: %s", r.key(), r.id(), r.jobId(), c.state().wireName(),
                        c.message().get());
            }
            if (seen instanceof Observation.SchedulerUnknown u) {
                LOG.warnf("Server %s: scheduler state unknown: %s", r.key(), u.problem());
            }
        }
    }

    /** Saves (durably unless the scheduler keeps the same fact) and announces the events after {@code announcedUpTo}. */
    private void save(ServerRecord r, long announcedUpTo, boolean durable) {
        if (durable) {
            store.save(r);
        } else {
            store.saveRepairable(r);
        }
        for (ProgressEvent e : r.events()) {
            if (e.id() > announcedUpTo) {
                events.publish(r.id(), e);
            }
        }
    }

    /** Creates a new start under the server's lock, unless another start is active. */
    <T> T withLock(ServerKey key, java.util.function.Supplier<T> work) {
        return locks.with(key, work);
    }
}
