package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.rules.Observation;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Cancels the job of a stopping server, one cancel per stop ({@link CancelAttempts}). A cancel
 * the scheduler took marks the server stopped. Until then the server stays stopping, whatever the
 * failure, with the reason in its message and a progress event: a transient failure is tried
 * again soon, a refusal that needs a person (the user's login is over, a permission) less often,
 * and at once when the user stops again or a new login arrives. Reporting such a server stopped
 * would be wrong: its job goes on running (and using the user's allocation) until it is cancelled
 * or reaches its time limit, which the watcher then sees.
 */
@ApplicationScoped
public class StopCancels {

    private static final Logger LOG = Logger.getLogger(StopCancels.class);

    private final SchedulerRegistry schedulers;
    private final ServerLifecycle lifecycle;
    private final Clock clock;
    private final CancelAttempts attempts = new CancelAttempts();

    public StopCancels(SchedulerRegistry schedulers, ServerLifecycle lifecycle, Clock clock) {
        this.schedulers = schedulers;
        this.lifecycle = lifecycle;
        this.clock = clock;
    }

    /**
     * Sends the cancel of stopping record {@code r}'s job unless one is in flight or was taken, or
     * (when not {@code asked} by the user, i.e. the watcher's retry) the wait after the last
     * failure has not passed. Returns the record after the change, empty when nothing was sent or
     * changed.
     */
    Optional<ServerRecord> cancel(ServerRecord r, boolean asked) {
        return ServerLogFields.around(r, () -> cancelNow(r, asked));
    }

    private Optional<ServerRecord> cancelNow(ServerRecord r, boolean asked) {
        Instant now = clock.instant();
        if (r.jobId() == null || !attempts.claim(r.id(), asked, now)) {
            return Optional.empty();
        }
        try {
            schedulers.forSystem(r.system()).cancel(r.jobId(), r.unixUser());
        } catch (SchedulerException e) {
            Duration wait = attempts.failed(r.id(), e.isTransient(), now);
            LOG.warnf("Server %s: cancelling job %s failed (%s), next try in %d s unless stopped again: %s", r.key(),
                    r.jobId(), e.isTransient() ? "transient" : "refused", wait.toSeconds(), e.getMessage());
            return lifecycle.observe(r.key(), r.id(), new Observation.CancelFailed(e.isTransient(), e.getMessage()));
        } catch (RuntimeException e) {
            attempts.failed(r.id(), true, now);
            throw e;
        }
        attempts.taken(r.id(), r.jobName());
        return lifecycle.observe(r.key(), r.id(), new Observation.CancelTaken());
    }

    /** The watcher's next round tries the cancel of {@code r} at once (its user's new login arrived). */
    void retrySoon(ServerRecord r) {
        attempts.retrySoon(r.id());
    }

    /** True for a little while after the scheduler took the cancel of the job named {@code jobName}. */
    public boolean taken(String jobName) {
        return attempts.taken(jobName);
    }
}
