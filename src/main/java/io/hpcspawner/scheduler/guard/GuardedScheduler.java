package io.hpcspawner.scheduler.guard;

import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SystemHealth;
import io.hpcspawner.spawn.port.UserInfo;
import io.smallrye.faulttolerance.api.Guard;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The scheduler of one system behind its {@link SystemGuards} (docs/resilience.md): idempotent
 * calls retried with backoff, every attempt counted by the system's breaker and held back while the
 * API asked for quiet, submits bounded by the submit slots, resent when they never reached the API
 * and recovered by name when their answer was lost ({@link SubmitRecovery}). Callers still see only
 * {@link SchedulerException}s; refusals made here are transient ({@link CallRefused}).
 */
public final class GuardedScheduler implements Scheduler {

    private final Scheduler delegate;
    private final SystemGuards guards;
    private final SubmitRecovery recovery;

    public GuardedScheduler(Scheduler delegate, SystemGuards guards) {
        this.delegate = delegate;
        this.guards = guards;
        this.recovery = new SubmitRecovery(this, guards);
    }

    @Override
    public List<JobInfo> jobs(Set<String> jobIds, String namePrefix) {
        return idempotent("jobs", () -> delegate.jobs(jobIds, namePrefix));
    }

    @Override
    public Optional<JobInfo> job(String jobId) {
        return idempotent("job", () -> delegate.job(jobId));
    }

    @Override
    public void cancel(String jobId, String user) {
        idempotent("cancel", () -> {
            delegate.cancel(jobId, user);
            return null;
        });
    }

    @Override
    public String tail(String path, String user, int lines) {
        return idempotent("tail", () -> delegate.tail(path, user, lines));
    }

    @Override
    public String head(String path, String user, int lines) {
        return idempotent("head", () -> delegate.head(path, user, lines));
    }

    @Override
    public List<Partition> partitions() {
        return idempotent("partitions", delegate::partitions);
    }

    @Override
    public List<Reservation> reservations() {
        return idempotent("reservations", delegate::reservations);
    }

    @Override
    public UserInfo userInfo(String user) {
        return idempotent("userInfo", () -> delegate.userInfo(user));
    }

    /**
     * Not guarded: only systems that act as the named user are asked, and slurmrestd answers it
     * from the service host's own accounts, without a request (an open breaker must not refuse a
     * start's user check, SlurmrestdOutageTest).
     */
    @Override
    public OptionalLong uidOf(String user) {
        return delegate.uidOf(user);
    }

    @Override
    public boolean actsAsNamedUser() {
        return delegate.actsAsNamedUser();
    }

    /**
     * The adapter's own check, one call, neither retried nor counted by the breaker (so it keeps
     * naming the real reason, e.g. "slurmrestd at URL cannot be reached"); while the breaker is
     * open the system is unhealthy whatever the check says, and the detail says calls are refused.
     */
    @Override
    public SystemHealth health() {
        SystemHealth own;
        try {
            own = delegate.health();
        } catch (SchedulerException e) {
            own = SystemHealth.unhealthy(e.getMessage());
        }
        CallRefused open = guards.openRefusal();
        if (open == null) {
            return own;
        }
        return SystemHealth.unhealthy((own.state() == SystemHealth.State.UNHEALTHY ? own.detail() + "; " : "")
                + "calls refused: " + open.getMessage());
    }

    /**
     * Refused at once while the breaker is open (no queueing for a slot), then within the submit
     * slots; a failure after which the job may exist goes to {@link SubmitRecovery}.
     */
    @Override
    public String submit(JobSubmission request) {
        CallRefused open = guards.openRefusal();
        if (open != null) {
            throw guards.refused("submit", open);
        }
        guards.enterSubmit();
        try {
            return recovery.submit(request);
        } finally {
            guards.leaveSubmit();
        }
    }

    /** One send of a submit; resent only while it certainly never reached the API. */
    String send(JobSubmission request, Instant deadline) {
        return retried(guards.unsentRetry(), "submit", () -> delegate.submit(request), deadline);
    }

    /** The system's jobs whose names start with {@code prefix}, retried like any listing, within {@code deadline}. */
    List<JobInfo> jobsNamed(String prefix, Instant deadline) {
        return retried(guards.retry(), "jobs", () -> delegate.jobs(Set.of(), prefix), deadline);
    }

    private <T> T idempotent(String call, Callable<T> action) {
        return retried(guards.retry(), call, action, guards.deadline());
    }

    /**
     * Through a retrying guard: SmallRye decides whether a failure is tried again and how often;
     * the wait before each further attempt and the call's deadline are the guards' ({@link SystemGuards#pause}).
     * "(gave up after n attempts)" when the retries ran out.
     */
    private <T> T retried(Guard retry, String call, Callable<T> action, Instant deadline) {
        AtomicInteger attempts = new AtomicInteger();
        AtomicReference<SchedulerException> last = new AtomicReference<>();
        try {
            return guarded(retry, () -> {
                int n = attempts.incrementAndGet();
                try {
                    if (n > 1) {
                        guards.pause(call, n - 1, last.get(), deadline);
                    }
                    return attempt(call, action, deadline);
                } catch (SchedulerException e) {
                    last.set(e);
                    throw e;
                }
            });
        } catch (SystemGuards.Stop e) {
            throw e.failure();
        } catch (Interrupted e) {
            // SmallRye ends a retry on an interrupted thread with InterruptedException; report what was going on
            throw last.get() != null ? last.get()
                    : new SchedulerException("Interrupted while calling " + guards.api() + " for system "
                            + guards.system(), true, e.getCause());
        } catch (SchedulerException e) {
            if (attempts.get() > 1 && SystemGuards.worthRetrying(e)) {
                throw SystemGuards.gaveUp(e, attempts.get(), "");
            }
            throw e;
        }
    }

    /** One attempt, after any quiet the API asked for, if the breaker lets it through. */
    private <T> T attempt(String call, Callable<T> action, Instant deadline) {
        guards.awaitQuiet(call, deadline);
        try {
            return guarded(guards.breaker(), () -> guards.calls().time(call, action));
        } catch (BreakerOpen e) {
            throw guards.refused(call, guards.breakerRefusal());
        } catch (SchedulerException e) {
            guards.failed(e);
            throw e;
        }
    }

    /** Runs through a SmallRye guard, turning its own refusals into the markers above. */
    @SuppressWarnings("unchecked")
    private static <T> T guarded(Guard guard, Callable<T> action) {
        try {
            return guard.call(action, (Class<T>) Object.class);
        } catch (CircuitBreakerOpenException e) {
            throw new BreakerOpen(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Interrupted(e);
        } catch (Exception e) {
            throw new SchedulerException("Unexpected failure: " + e, true, e);
        }
    }

    /** The thread was interrupted inside a SmallRye guard (the interrupt flag is set again). */
    private static final class Interrupted extends RuntimeException {
        Interrupted(InterruptedException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** SmallRye's breaker refused the attempt. */
    private static final class BreakerOpen extends RuntimeException {
        BreakerOpen(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

}
