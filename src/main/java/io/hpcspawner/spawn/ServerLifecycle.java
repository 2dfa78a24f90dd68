package io.hpcspawner.spawn;

import io.hpcspawner.spawn.rules.PendingReasons;
import io.hpcspawner.spawn.port.ServerStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * The state machine of a server. Every change happens here, under the server's lock, on the
 * start it was meant for (a late observation of an earlier start is ignored), is persisted before
 * it is announced, and adds a progress event when the user should see it.
 */
@ApplicationScoped
public class ServerLifecycle {

    private static final Logger LOG = Logger.getLogger(ServerLifecycle.class);

    private final ServerStore store;
    private final ServerLocks locks;
    private final ServerEvents events;
    private final Clock clock;

    public ServerLifecycle(ServerStore store, ServerLocks locks, ServerEvents events, Clock clock) {
        this.store = store;
        this.locks = locks;
        this.events = events;
        this.clock = clock;
    }

    /** Persists a new start in state submitting, before its job is submitted. */
    void begin(ServerRecord fresh, String text) {
        Instant now = clock.instant();
        fresh.enter(ServerState.SUBMITTING, text, now);
        fresh.addEvent(event(fresh, text, now));
        save(fresh, 0);
    }

    /** The submit returned a job id. Returns the record after the change: if it is stopping, the caller cancels. */
    public Optional<ServerRecord> submitted(ServerKey key, String id, String jobId) {
        return change(key, id, r -> {
            r.jobId(jobId);
            if (r.state() == ServerState.SUBMITTING) {
                move(r, ServerState.QUEUED, "Job " + jobId + " submitted to " + r.system() + ", waiting in the queue");
            }
            return true;
        });
    }

    /** The job is waiting; {@code reason} is the scheduler's pending reason, if any. */
    public Optional<ServerRecord> pending(ServerKey key, String id, Optional<String> reason) {
        return change(key, id, r -> {
            boolean fresh = clearDoubts(r);
            String why = reason.orElse(null);
            if (r.state() == ServerState.SUBMITTING || r.state() == ServerState.QUEUED
                    && !java.util.Objects.equals(why, r.pendingReason())) {
                r.pendingReason(why);
                move(r, ServerState.QUEUED, "Job " + r.jobId() + " is waiting in the queue"
                        + (why == null ? "" : ": " + PendingReasons.explain(why)) + givesUpAt(r));
                return true;
            }
            return fresh;
        });
    }

    private static final java.time.format.DateTimeFormatter DEADLINE = java.time.format.DateTimeFormatter
            .ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(java.time.ZoneOffset.UTC);

    /** "; the start is given up at ..." for a record with a start deadline. */
    private static String givesUpAt(ServerRecord r) {
        return r.startDeadline() == null ? "" : ". The start is given up at " + DEADLINE.format(r.startDeadline())
                + " if the job has not started by then";
    }

    /** The job runs on {@code node}; the server inside it is not ready yet. */
    public Optional<ServerRecord> jobRunning(ServerKey key, String id, Optional<String> node) {
        return change(key, id, r -> {
            boolean fresh = clearDoubts(r);
            if (r.state() == ServerState.SUBMITTING || r.state() == ServerState.QUEUED) {
                r.pendingReason(null);
                node.ifPresent(r::node);
                move(r, ServerState.STARTING, "Job " + r.jobId() + " is running" + node.map(n -> " on " + n).orElse("")
                        + ", starting the server");
                return true;
            }
            return fresh;
        });
    }

    /** The ready signal arrived: the server listens at host:port. */
    public Optional<ServerRecord> ready(ServerKey key, String id, String node, String host, int port) {
        return change(key, id, r -> {
            if (!r.state().isStarting()) {
                return false;
            }
            r.pendingReason(null);
            r.node(node);
            r.endpoint(host, port, "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
            move(r, ServerState.RUNNING, "Server ready at " + host + ":" + port);
            return true;
        });
    }

    /** A stop was asked for; the job (if any) is about to be cancelled. */
    public Optional<ServerRecord> stopRequested(ServerKey key) {
        return locks.with(key, () -> store.find(key).map(r -> {
            if (r.state().isActive() && r.state() != ServerState.STOPPING) {
                long before = r.lastEventId();
                move(r, ServerState.STOPPING, "Stopping" + (r.jobId() == null ? "" : ": cancelling job " + r.jobId()));
                save(r, before);
            }
            return r;
        }));
    }

    /** The job is gone after a stop, or ended by itself while the server ran. */
    public Optional<ServerRecord> stopped(ServerKey key, String id, String text, Integer exitCode) {
        return change(key, id, r -> {
            if (r.state().isTerminal()) {
                return false;
            }
            r.exitCode(exitCode == null ? 0 : exitCode);
            move(r, ServerState.STOPPED, text);
            return true;
        });
    }

    /**
     * The cancel of a stopping server's job failed: the server stays stopping, {@code text} says
     * why (a progress event when the reason is new).
     */
    public Optional<ServerRecord> cancelFailed(ServerKey key, String id, String text) {
        return change(key, id, r -> {
            if (r.state() != ServerState.STOPPING || text.equals(r.message())) {
                return false;
            }
            move(r, ServerState.STOPPING, text);
            return true;
        });
    }

    /** The start failed: the job could not be submitted, or it ended before the server was ready. */
    public Optional<ServerRecord> failed(ServerKey key, String id, String text, Integer exitCode) {
        return failed(key, id, text, exitCode, null);
    }

    /** The start failed, with a {@code code} for clients on its failed event (e.g. {@code scheduler_unavailable}). */
    public Optional<ServerRecord> failed(ServerKey key, String id, String text, Integer exitCode, String code) {
        return change(key, id, r -> {
            if (r.state().isTerminal()) {
                return false;
            }
            if (r.state() == ServerState.STOPPING) {
                r.exitCode(0);
                move(r, ServerState.STOPPED, "Stopped");
                return true;
            }
            r.exitCode(exitCode == null || exitCode == 0 ? 1 : exitCode);
            move(r, ServerState.FAILED, text, code);
            return true;
        });
    }

    /**
     * Something the user should see while the start waits, e.g. that its cluster cannot be reached
     * and when the next try is: a progress event and the record's message, the state unchanged.
     * Nothing happens once the start has moved on from submitting.
     */
    public Optional<ServerRecord> waiting(ServerKey key, String id, String text) {
        return change(key, id, r -> {
            if (r.state() != ServerState.SUBMITTING) {
                return false;
            }
            move(r, r.state(), text);
            return true;
        });
    }

    /** The scheduler did not answer: the state stays as it is, only the doubt is recorded. */
    public Optional<ServerRecord> unknown(ServerKey key, String id, String problem) {
        return change(key, id, r -> {
            if (r.unknownSince() != null) {
                return false;
            }
            r.unknownSince(clock.instant());
            LOG.warnf("Server %s: scheduler state unknown: %s", r.key(), problem);
            return true;
        });
    }

    /** The job is missing from the scheduler's answer since this moment (null once it is seen again). */
    public Optional<ServerRecord> missing(ServerKey key, String id) {
        return change(key, id, r -> {
            if (r.missingSince() != null) {
                return false;
            }
            r.missingSince(clock.instant());
            return true;
        });
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

    private boolean clearDoubts(ServerRecord r) {
        boolean had = r.unknownSince() != null || r.missingSince() != null;
        r.unknownSince(null);
        r.missingSince(null);
        return had;
    }

    private void move(ServerRecord r, ServerState next, String text) {
        move(r, next, text, null);
    }

    private void move(ServerRecord r, ServerState next, String text, String code) {
        Instant now = clock.instant();
        r.enter(next, text, now);
        r.addEvent(event(r, text, now, code));
        LOG.infof("Server %s (%s, job %s): %s: %s", r.key(), r.id(), r.jobId(), next.wireName(), text);
    }

    private static ProgressEvent event(ServerRecord r, String text, Instant now) {
        return event(r, text, now, null);
    }

    private static ProgressEvent event(ServerRecord r, String text, Instant now, String code) {
        ServerState s = r.state();
        return new ProgressEvent(0, s.progress(), text, s, s == ServerState.RUNNING, s == ServerState.FAILED,
                s == ServerState.STOPPED, s == ServerState.RUNNING ? r.url() : null, now, code);
    }

    private Optional<ServerRecord> change(ServerKey key, String id, Predicate<ServerRecord> mutation) {
        return locks.with(key, () -> {
            Optional<ServerRecord> current = store.find(key).filter(r -> r.id().equals(id));
            current.ifPresent(r -> {
                long before = r.lastEventId();
                if (mutation.test(r)) {
                    r.touch(clock.instant());
                    save(r, before);
                }
            });
            return current;
        });
    }

    private void save(ServerRecord r, long announcedUpTo) {
        store.save(r);
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
