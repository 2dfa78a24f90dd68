package io.hpcspawner.scheduler.guard;

import io.hpcspawner.scheduler.JobInfo;
import io.hpcspawner.scheduler.JobSubmission;
import io.hpcspawner.scheduler.Partition;
import io.hpcspawner.scheduler.Scheduler;
import io.hpcspawner.scheduler.SchedulerException;
import io.hpcspawner.scheduler.SystemHealth;
import io.hpcspawner.scheduler.UserInfo;
import io.hpcspawner.scheduler.resilience.CallRefused;
import io.smallrye.faulttolerance.api.Guard;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * The scheduler of one system behind its {@link SystemGuards}: idempotent calls retried, every
 * attempt counted by the system's breaker, submits bounded by the bulkhead and resent only when
 * they never reached the API. Callers still see only {@link SchedulerException}s; refusals made
 * here are transient ({@link CallRefused}).
 */
public final class GuardedScheduler implements Scheduler {

    private final Scheduler delegate;
    private final SystemGuards guards;

    public GuardedScheduler(Scheduler delegate, SystemGuards guards) {
        this.delegate = delegate;
        this.guards = guards;
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

    /** Refused at once while the breaker is open (no queueing for a slot), then within the bulkhead. */
    @Override
    public String submit(JobSubmission request) {
        CallRefused open = guards.openRefusal();
        if (open != null) {
            guards.refused("submit", open);
            throw open;
        }
        try {
            return guarded(guards.bulkhead(), () -> retried(guards.unsentRetry(), "submit", () -> delegate.submit(request)));
        } catch (BulkheadRefusal e) {
            CallRefused full = guards.submitsFull();
            guards.refused("submit", full);
            throw full;
        }
    }

    private <T> T idempotent(String call, Callable<T> action) {
        return retried(guards.retry(), call, action);
    }

    /** Through a retrying guard, each attempt through the breaker; "(gave up after n attempts)" when retries ran out. */
    private <T> T retried(Guard retry, String call, Callable<T> action) {
        AtomicInteger attempts = new AtomicInteger();
        try {
            return guarded(retry, () -> {
                if (attempts.getAndIncrement() > 0) {
                    guards.retried(call);
                }
                return attempt(call, action);
            });
        } catch (SchedulerException e) {
            if (attempts.get() > 1 && SystemGuards.worthRetrying(e)) {
                throw new SchedulerException(e.getMessage() + " (gave up after " + attempts.get() + " attempts)", true,
                        e, e.retryAfter().orElse(null));
            }
            throw e;
        }
    }

    private <T> T attempt(String call, Callable<T> action) {
        try {
            return guarded(guards.breaker(), action);
        } catch (BreakerOpen e) {
            CallRefused open = guards.openRefusal();
            CallRefused refusal = open != null ? open
                    : new CallRefused("breaker_open", e.getMessage(), null);
            guards.refused(call, refusal);
            throw refusal;
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
        } catch (BulkheadException e) {
            throw new BulkheadRefusal(e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new SchedulerException("Unexpected failure: " + e, true, e);
        }
    }

    /** SmallRye's breaker refused the attempt. */
    private static final class BreakerOpen extends RuntimeException {
        BreakerOpen(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /** SmallRye's bulkhead refused the submit. */
    private static final class BulkheadRefusal extends RuntimeException {
        BulkheadRefusal(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }
}
