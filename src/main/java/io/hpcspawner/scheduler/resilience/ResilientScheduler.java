package io.hpcspawner.scheduler.resilience;

import io.hpcspawner.spawn.port.Sleeper;
import io.hpcspawner.scheduler.JobInfo;
import io.hpcspawner.scheduler.JobSubmission;
import io.hpcspawner.scheduler.Partition;
import io.hpcspawner.scheduler.Scheduler;
import io.hpcspawner.scheduler.SchedulerException;
import io.hpcspawner.scheduler.SystemHealth;
import io.hpcspawner.scheduler.UserInfo;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The scheduler of one system with fault handling around every call of the adapter it wraps
 * (docs/resilience.md has the rules and the numbers):
 * <ul>
 * <li>Idempotent calls ({@code jobs}, {@code cancel}, {@code tail}, {@code head},
 * {@code partitions}, {@code userInfo}) are retried on transient failures with exponential
 * backoff and jitter, within a bounded number of attempts and a bounded time per call.</li>
 * <li>A wait the API asks for ({@link SchedulerException#retryAfter()}, e.g. a 429's
 * {@code Retry-After}) is honoured up to a cap, for every call to this system; a wait beyond the
 * call's remaining time fails the call at once, saying when to retry.</li>
 * <li>A submit is never sent twice blindly: after a failure that may have reached the server, the
 * job is looked up by its name and adopted if it exists; it is submitted once more only when the
 * API answered the submit with an error and a successful listing then shows no such job. A
 * submit that never left (connection refused) is simply retried; a refused one (4xx) never.</li>
 * <li>A circuit breaker fails calls fast while the API is unreachable, and a bulkhead bounds the
 * submits in flight.</li>
 * </ul>
 * One instance per system, so one dead cluster does not hold up the others.
 */
public final class ResilientScheduler implements Scheduler {

    private static final Logger LOG = Logger.getLogger(ResilientScheduler.class);

    private final String system;
    private final String api;
    private final Scheduler delegate;
    private final ResiliencePolicy.Retry retry;
    private final Backoff backoff;
    private final CircuitBreaker breaker;
    private final SubmitBulkhead submits;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Sleeper sleeper;
    /** No call to this system starts before this instant: the API asked us to wait. */
    private final AtomicReference<Instant> quietUntil = new AtomicReference<>(Instant.MIN);

    /** Without metrics. */
    public ResilientScheduler(String system, String api, Scheduler delegate, ResiliencePolicy policy) {
        this(system, api, delegate, policy, null);
    }

    /**
     * @param system the system's name, for messages, logs and metric tags
     * @param api what the adapter talks to, for messages, e.g. {@code FirecREST} or {@code slurmrestd}
     * @param meters where the counters and gauges go; null for none
     */
    public ResilientScheduler(String system, String api, Scheduler delegate, ResiliencePolicy policy,
            MeterRegistry meters) {
        this(system, api, delegate, policy, meters, Clock.systemUTC(), Sleeper.REAL);
    }

    /** With the time source and the sleeper given (tests). */
    public ResilientScheduler(String system, String api, Scheduler delegate, ResiliencePolicy policy,
            MeterRegistry meters, Clock clock, Sleeper sleeper) {
        this.system = system;
        this.api = api;
        this.delegate = delegate;
        this.retry = policy.retry();
        this.backoff = new Backoff(retry.initialBackoff(), retry.maxBackoff(), retry.jitter(),
                () -> ThreadLocalRandom.current().nextDouble());
        this.breaker = new CircuitBreaker(system, api, policy.breaker(), clock);
        this.submits = new SubmitBulkhead(system, policy.submits());
        this.meters = meters == null ? new SimpleMeterRegistry() : meters;
        this.clock = clock;
        this.sleeper = sleeper;
        Gauge.builder("hpcspawner.scheduler.breaker.open", breaker, b -> b.isOpen() ? 1 : 0).tag("system", system)
                .description("1 while calls to the system's scheduler API are refused or probed after repeated failures")
                .strongReference(true).register(this.meters);
        Gauge.builder("hpcspawner.scheduler.submits.in.flight", submits, SubmitBulkhead::inFlight).tag("system", system)
                .description("Submits to the system under way").strongReference(true).register(this.meters);
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

    @Override
    public boolean actsAsNamedUser() {
        return delegate.actsAsNamedUser();
    }

    @Override
    public java.util.OptionalLong uidOf(String user) {
        return idempotent("uidOf", () -> delegate.uidOf(user));
    }

    /** One call, not retried and not counted by the breaker; an open breaker is itself the answer. */
    @Override
    public SystemHealth health() {
        Optional<CallRefused> open = breaker.refusalIfOpen();
        if (open.isPresent()) {
            return SystemHealth.unhealthy(refused("health", open.get()).getMessage());
        }
        try {
            return delegate.health();
        } catch (SchedulerException e) {
            return SystemHealth.unhealthy(e.getMessage());
        }
    }

    /**
     * Submits within the bulkhead. After a transient failure the request may or may not have
     * created the job; see {@link #submitOnce}.
     */
    @Override
    public String submit(JobSubmission request) {
        Optional<CallRefused> open = breaker.refusalIfOpen();
        if (open.isPresent()) {
            throw refused("submit", open.get()); // do not queue for a slot on a system we know is down
        }
        try {
            submits.enter();
        } catch (CallRefused e) {
            throw refused("submit", e);
        }
        try {
            return submitOnce(request);
        } finally {
            submits.leave();
        }
    }

    /**
     * One job from one submission, whatever goes wrong on the way. A submit the API refused
     * ({@link SchedulerException#rejected()}: any 4xx, 429 included) is never sent again: the
     * failure goes to the caller, with the wait a 429 asked for. A failure that may have
     * reached the server (timeout, reset connection, 5xx, an answer without a job id) is followed
     * by a look-up by the job's name: a job found is adopted; a failed listing ends the call (the
     * caller may look again). A successful listing without the job allows one more submit only when
     * it is certain no job is coming: the API itself answered the submit with an error
     * ({@link SchedulerException#answered()}, e.g. a 500 from sbatch). After a timeout, a dropped
     * connection or a gateway's 502/504 the API may still be creating the job, so the call fails
     * (transient) instead: a second job is worse than a failed start, whose late job the watcher
     * cancels as an orphan. A submit that never reached the server (connection refused, unknown
     * host) is retried like an idempotent call.
     */
    private String submitOnce(JobSubmission request) {
        Instant deadline = clock.instant().plus(retry.maxDuration());
        boolean resubmitted = false;
        for (int attempt = 1; ; attempt++) {
            SchedulerException failure;
            try {
                return attempt("submit", () -> delegate.submit(request), deadline);
            } catch (SchedulerException e) {
                if (!worthRetrying(e) || e.rejected()) {
                    throw e; // a refused submit (any 4xx, 429 included) created nothing: the caller decides
                }
                failure = e;
            }
            if (!failure.neverReachedApi()) {
                LookUp found = lookUp(request.name(), deadline);
                if (found.jobId != null) {
                    LOG.infof("System %s: submitting %s failed (%s), but job %s has that name: adopting it",
                            system, request.name(), failure.getMessage(), found.jobId);
                    recovered("adopted");
                    return found.jobId;
                }
                if (found.failure != null) {
                    recovered("lookup_failed");
                    throw new SchedulerException(failure.getMessage() + "; looking for a job named " + request.name()
                            + " failed too: " + found.failure.getMessage(), true, failure,
                            failure.retryAfter().orElse(null));
                }
                if (!failure.answered()) {
                    recovered("unconfirmed");
                    throw new SchedulerException(failure.getMessage() + "; no job named " + request.name()
                            + " is listed yet, but " + api + " may still be creating it, so the submit was not sent"
                            + " again", true, failure, failure.retryAfter().orElse(null));
                }
                if (resubmitted || attempt >= retry.maxAttempts()) {
                    throw gaveUp(failure, attempt, "; no job named " + request.name() + " exists");
                }
                resubmitted = true;
                recovered("resubmitted");
                LOG.infof("System %s: submitting %s failed (%s) and no job has that name: submitting it once more",
                        system, request.name(), failure.getMessage());
            } else if (attempt >= retry.maxAttempts()) {
                throw gaveUp(failure, attempt, "");
            }
            pause("submit", attempt, failure, deadline);
        }
    }

    /** What looking for a job by name found: its id, or neither (no such job), or the failure. */
    private record LookUp(String jobId, SchedulerException failure) {
    }

    private LookUp lookUp(String jobName, Instant deadline) {
        if (clock.instant().plus(retry.submitLookupDelay()).isAfter(deadline)) {
            return new LookUp(null, new SchedulerException("no time was left to look", true));
        }
        try {
            sleep(retry.submitLookupDelay());
            List<JobInfo> jobs = retrying("jobs", () -> delegate.jobs(Set.of(), jobName), deadline);
            return new LookUp(jobs.stream().filter(j -> jobName.equals(j.name())).map(JobInfo::id).findFirst()
                    .orElse(null), null);
        } catch (SchedulerException e) {
            return new LookUp(null, e);
        }
    }

    private <T> T idempotent(String call, Supplier<T> action) {
        return retrying(call, action, clock.instant().plus(retry.maxDuration()));
    }

    private <T> T retrying(String call, Supplier<T> action, Instant deadline) {
        for (int attempt = 1; ; attempt++) {
            try {
                return attempt(call, action, deadline);
            } catch (SchedulerException e) {
                if (!worthRetrying(e)) {
                    throw e;
                }
                if (attempt >= retry.maxAttempts()) {
                    throw gaveUp(e, attempt, "");
                }
                pause(call, attempt, e, deadline);
            }
        }
    }

    /** One call to the adapter, after any wait the API asked for, if the breaker lets it through. */
    private <T> T attempt(String call, Supplier<T> action, Instant deadline) {
        Instant now = clock.instant();
        Instant quiet = quietUntil.get();
        if (quiet.isAfter(now)) {
            if (quiet.isAfter(deadline)) {
                throw refused(call, new CallRefused("rate_limited", api + " for system " + system
                        + " asked to wait: retry after " + at(quiet), Duration.between(now, quiet)));
            }
            sleep(Duration.between(now, quiet));
        }
        Optional<CallRefused> refusal = breaker.admit();
        if (refusal.isPresent()) {
            throw refused(call, refusal.get());
        }
        try {
            T result = action.get();
            breaker.succeeded();
            return result;
        } catch (SchedulerException e) {
            if (interrupted(e)) {
                breaker.abandoned();
            } else if (e.isTransient() && e.retryAfter().isEmpty()) {
                breaker.failed(e);
            } else {
                breaker.succeeded(); // an answer, even a refusal, shows the API is reachable
            }
            e.retryAfter().ifPresent(this::keepQuiet);
            throw e;
        } catch (RuntimeException | Error e) {
            breaker.abandoned();
            throw e;
        }
    }

    /** Waits before attempt {@code failed + 1}, or throws when the call's time does not allow it. */
    private void pause(String call, int failed, SchedulerException failure, Instant deadline) {
        Instant now = clock.instant();
        Duration wait = backoff.before(failed);
        Instant quiet = quietUntil.get();
        if (quiet.isAfter(now.plus(wait))) {
            wait = Duration.between(now, quiet);
        }
        if (now.plus(wait).isAfter(deadline)) {
            if (quiet.isAfter(deadline)) {
                throw new SchedulerException(failure.getMessage() + "; retry after " + at(quiet), true, failure,
                        Duration.between(now, quiet));
            }
            throw gaveUp(failure, failed, "");
        }
        LOG.debugf("System %s: %s attempt %d of %d failed, retrying in %d ms: %s", system, call, failed,
                retry.maxAttempts(), wait.toMillis(), failure.getMessage());
        meters.counter("hpcspawner.scheduler.retries", "system", system, "call", call).increment();
        sleep(wait);
    }

    /** Holds back every call to this system for the wait the API asked for, cut to the configured cap. */
    private void keepQuiet(Duration asked) {
        Duration wait = asked.compareTo(retry.maxRetryAfter()) > 0 ? retry.maxRetryAfter() : asked;
        Instant until = clock.instant().plus(wait);
        Instant before = quietUntil.getAndAccumulate(until, (a, b) -> a.isAfter(b) ? a : b);
        if (!before.isAfter(clock.instant())) {
            LOG.infof("System %s: %s asked to wait %d s; calls wait until %s", system, api, asked.toSeconds(), at(until));
        }
    }

    private void sleep(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("Interrupted while waiting to call " + api + " for system " + system + " again",
                    true, e);
        }
    }

    private SchedulerException gaveUp(SchedulerException last, int attempts, String note) {
        if (attempts == 1 && note.isEmpty()) {
            return last;
        }
        return new SchedulerException(last.getMessage() + note + " (gave up after " + attempts
                + (attempts == 1 ? " attempt)" : " attempts)"), true, last, last.retryAfter().orElse(null));
    }

    private CallRefused refused(String call, CallRefused e) {
        meters.counter("hpcspawner.scheduler.refused", "system", system, "call", call, "reason", e.reason()).increment();
        return e;
    }

    private void recovered(String outcome) {
        meters.counter("hpcspawner.scheduler.submit.recoveries", "system", system, "outcome", outcome).increment();
    }

    private static boolean worthRetrying(SchedulerException e) {
        return e.isTransient() && !(e instanceof CallRefused) && !interrupted(e);
    }

    private static boolean interrupted(Throwable e) {
        if (Thread.currentThread().isInterrupted()) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    private static String at(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
