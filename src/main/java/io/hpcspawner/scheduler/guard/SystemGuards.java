package io.hpcspawner.scheduler.guard;

import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.Sleeper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The fault handling of one system, built from its {@link ResiliencePolicy} (docs/resilience.md):
 * SmallRye Fault Tolerance's circuit breaker counting every attempt and its retry deciding which
 * failures are tried again and how often; around them what SmallRye has no notion of: the waits
 * between attempts and the quiet a {@code Retry-After} asks for (on the system's own clock, for
 * every call to the system, bounded by the call's time), the submit slots with their bounded wait,
 * the refusal messages and the project's metrics.
 */
public final class SystemGuards {

    private static final Logger LOG = Logger.getLogger(SystemGuards.class);

    private final String system;
    private final String api;
    private final ResiliencePolicy policy;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Sleeper sleeper;
    private final PolicyBackoff backoff;
    private final String breakerName;
    private final AtomicReference<CircuitBreakerState> state = new AtomicReference<>(CircuitBreakerState.CLOSED);
    private final AtomicReference<Instant> openedSince = new AtomicReference<>(Instant.MIN);
    private final AtomicReference<Instant> openUntil = new AtomicReference<>(Instant.MIN);
    private final AtomicReference<String> lastError = new AtomicReference<>("");
    /** No call to this system starts before this instant: its API asked us to wait. */
    private final AtomicReference<Instant> quietUntil = new AtomicReference<>(Instant.MIN);
    private final Semaphore submitSlots;
    private final Guard breaker;
    private final Guard retry;
    private final Guard unsentRetry;
    private final SchedulerCallMeters calls;

    /** As the service runs it: real time, the breaker named {@code hpcspawner-<system>} (one per system per application). */
    public SystemGuards(String system, String api, ResiliencePolicy policy, MeterRegistry meters) {
        this(system, api, policy, meters, Clock.systemUTC(), Sleeper.REAL, true);
    }

    /**
     * With the time source and the sleeper given (tests). The breaker's cool-down is SmallRye's and
     * takes real time. An unnamed breaker ({@code named} false) lets a test build the same system twice.
     */
    public SystemGuards(String system, String api, ResiliencePolicy policy, MeterRegistry meters, Clock clock,
            Sleeper sleeper, boolean named) {
        this.system = system;
        this.api = api;
        this.policy = policy;
        this.meters = meters;
        this.clock = clock;
        this.sleeper = sleeper;
        this.backoff = new PolicyBackoff(policy.retry(), () -> ThreadLocalRandom.current().nextDouble());
        this.breakerName = named ? "hpcspawner-" + system : null;
        ResiliencePolicy.Retry r = policy.retry();
        ResiliencePolicy.Breaker br = policy.breaker();
        var breakerBuilder = Guard.create().withDescription("scheduler " + system + " breaker")
                .withCircuitBreaker().requestVolumeThreshold(br.failureThreshold())
                .failureRatio(1.0).successThreshold(1).delay(br.openFor().toMillis(), ChronoUnit.MILLIS)
                .when(SystemGuards::countsAgainstBreaker).onStateChange(this::breakerMoved);
        this.breaker = (named ? breakerBuilder.name(breakerName) : breakerBuilder).done().build();
        // The waits between attempts are made here (pause), so SmallRye's own delay is zero.
        this.retry = Guard.create().withDescription("scheduler " + system + " retry")
                .withRetry().maxRetries(r.maxAttempts() - 1).delay(0, ChronoUnit.MILLIS).jitter(0, ChronoUnit.MILLIS)
                .maxDuration(r.maxDuration().toMillis(), ChronoUnit.MILLIS)
                .whenException(SystemGuards::worthRetrying).done()
                .build();
        this.unsentRetry = Guard.create().withDescription("scheduler " + system + " unsent submit retry")
                .withRetry().maxRetries(r.maxAttempts() - 1).delay(0, ChronoUnit.MILLIS).jitter(0, ChronoUnit.MILLIS)
                .maxDuration(r.maxDuration().toMillis(), ChronoUnit.MILLIS)
                .whenException(t -> worthRetrying(t) && ((SchedulerException) t).neverReachedApi()).done()
                .build();
        this.submitSlots = new Semaphore(policy.submits().concurrency(), true);
        this.calls = new SchedulerCallMeters(system, meters);
        Gauge.builder("hpcspawner.scheduler.breaker.open", this, g -> g.breakerState() == CircuitBreakerState.CLOSED ? 0 : 1)
                .description("1 while calls to the system's scheduler API are refused or probed after repeated failures")
                .tag("system", system).strongReference(true).register(meters);
        Gauge.builder("hpcspawner.scheduler.submits.in.flight", this, SystemGuards::submitsInFlight)
                .description("Submits to the system under way").tag("system", system).strongReference(true)
                .register(meters);
    }

    private void breakerMoved(CircuitBreakerState st) {
        CircuitBreakerState before = state.getAndSet(st);
        if (st == CircuitBreakerState.OPEN) {
            Instant now = clock.instant();
            if (before == CircuitBreakerState.CLOSED) {
                openedSince.set(now);
            }
            openUntil.set(now.plus(policy.breaker().openFor()));
            LOG.warnf("System %s: %s keeps failing since %s; refusing calls until %s. Last error: %s", system, api,
                    at(openedSince.get()), at(openUntil.get()), lastError.get());
        } else if (st == CircuitBreakerState.CLOSED && before != CircuitBreakerState.CLOSED) {
            LOG.infof("System %s: %s answers again; calls go through", system, api);
        }
    }

    /** SmallRye's view of the breaker (a named one also sees a reset through {@code CircuitBreakerMaintenance}). */
    CircuitBreakerState breakerState() {
        return breakerName == null ? state.get() : CircuitBreakerMaintenance.get().currentState(breakerName);
    }

    /** The system's breaker alone: one attempt, counted ({@code failure-threshold} failures in a row open it). */
    Guard breaker() {
        return breaker;
    }

    /** Times each attempt of a call to the API. */
    SchedulerCallMeters calls() {
        return calls;
    }

    /** Retries of idempotent calls; each attempt goes through {@link #breaker()}. */
    Guard retry() {
        return retry;
    }

    /** Retries of a submit that certainly never reached the API (connection refused...). */
    Guard unsentRetry() {
        return unsentRetry;
    }

    /** The end of a call starting now: no retry starts after it. */
    Instant deadline() {
        return clock.instant().plus(policy.retry().maxDuration());
    }

    /** While the breaker is open and its cool-down runs: the refusal a call meets without a try; else null. */
    CallRefused openRefusal() {
        if (breakerState() != CircuitBreakerState.OPEN) {
            return null;
        }
        Instant now = clock.instant();
        return now.isBefore(openUntil.get()) ? refusal(now, false) : null;
    }

    /** The refusal when SmallRye's breaker turned an attempt away (open, or its one probe under way). */
    CallRefused breakerRefusal() {
        return refusal(clock.instant(), breakerState() == CircuitBreakerState.HALF_OPEN);
    }

    private CallRefused refusal(Instant now, boolean probing) {
        Instant next = openUntil.get().isAfter(now) ? openUntil.get() : now;
        return new CallRefused("breaker_open", api + " for system " + system + " is unreachable since "
                + at(openedSince.get()) + "; next try at " + at(next) + (probing ? " (a test call is under way)" : "")
                + ". Last error: " + lastError.get(), Duration.between(now, next));
    }

    /** Takes one of the {@code submit.concurrency} slots, waiting first come, first served at most {@code submit.queue-wait}. */
    void enterSubmit() {
        Duration wait = policy.submits().queueWait();
        boolean got;
        try {
            got = submitSlots.tryAcquire(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("Interrupted while waiting to submit to system " + system, true, e);
        }
        if (!got) {
            throw refused("submit", new CallRefused("submits_full", "Too many submits in flight on system " + system + " ("
                    + policy.submits().concurrency() + " at once); none finished within " + wait.toSeconds()
                    + " s. Try again shortly.", null));
        }
    }

    void leaveSubmit() {
        submitSlots.release();
    }

    private int submitsInFlight() {
        return policy.submits().concurrency() - submitSlots.availablePermits();
    }

    /** Before an attempt: waits out the quiet the API asked for, or refuses when it outlasts the call's time. */
    void awaitQuiet(String call, Instant deadline) {
        Instant now = clock.instant();
        Instant quiet = quietUntil.get();
        if (!quiet.isAfter(now)) {
            return;
        }
        if (quiet.isAfter(deadline)) {
            throw refused(call, new CallRefused("rate_limited", api + " for system " + system
                    + " asked to wait: retry after " + at(quiet), Duration.between(now, quiet)));
        }
        sleep(Duration.between(now, quiet));
    }

    /**
     * Waits before attempt {@code failed + 1}: the backoff, or longer when the API asked for quiet.
     * Throws {@link Stop} when the wait would pass the call's deadline.
     */
    void pause(String call, int failed, SchedulerException failure, Instant deadline) {
        Instant now = clock.instant();
        Duration wait = backoff.before(failed);
        Instant quiet = quietUntil.get();
        if (quiet.isAfter(now.plus(wait))) {
            wait = Duration.between(now, quiet);
        }
        if (now.plus(wait).isAfter(deadline)) {
            if (quiet.isAfter(deadline)) {
                throw new Stop(new SchedulerException(failure.getMessage() + "; retry after " + at(quiet), true, failure,
                        Duration.between(now, quiet)));
            }
            throw new Stop(gaveUp(failure, failed, ""));
        }
        LOG.debugf("System %s: %s attempt %d of %d failed, retrying in %d ms: %s", system, call, failed,
                policy.retry().maxAttempts(), wait.toMillis(), failure.getMessage());
        meters.counter("hpcspawner.scheduler.retries", "system", system, "call", call).increment();
        sleep(wait);
    }

    /** Before a look-up by name after a lost submit: false when the call's time does not allow the wait. */
    boolean waitForLookUp(Instant deadline) {
        Duration delay = policy.retry().submitLookupDelay();
        if (clock.instant().plus(delay).isAfter(deadline)) {
            return false;
        }
        sleep(delay);
        return true;
    }

    /** After a failed attempt: keeps the last error for the breaker's message and any wait the API asked for. */
    void failed(SchedulerException e) {
        if (countsAgainstBreaker(e)) {
            lastError.set(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        e.retryAfter().ifPresent(this::keepQuiet);
    }

    /** Holds back every call to this system for the wait the API asked for, cut to {@code retry.max-retry-after}. */
    private void keepQuiet(Duration asked) {
        Duration cap = policy.retry().maxRetryAfter();
        Instant until = clock.instant().plus(asked.compareTo(cap) > 0 ? cap : asked);
        Instant before = quietUntil.getAndAccumulate(until, (a, b) -> a.isAfter(b) ? a : b);
        if (!before.isAfter(clock.instant())) {
            LOG.infof("System %s: %s asked to wait %d s; calls wait until %s", system, api, asked.toSeconds(), at(until));
        }
    }

    CallRefused refused(String call, CallRefused e) {
        meters.counter("hpcspawner.scheduler.refused", "system", system, "call", call, "reason", e.reason()).increment();
        return e;
    }

    void recovered(String outcome) {
        meters.counter("hpcspawner.scheduler.submit.recoveries", "system", system, "outcome", outcome).increment();
    }

    String system() {
        return system;
    }

    String api() {
        return api;
    }

    int maxAttempts() {
        return policy.retry().maxAttempts();
    }

    /** "(gave up after n attempts)" added, unless there was one attempt and nothing to add. */
    static SchedulerException gaveUp(SchedulerException last, int attempts, String note) {
        if (attempts == 1 && note.isEmpty()) {
            return last;
        }
        return new SchedulerException(last.getMessage() + note + " (gave up after " + attempts
                + (attempts == 1 ? " attempt)" : " attempts)"), true, last, last.retryAfter().orElse(null));
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

    /** Transient failures are retried; refusals made here and interrupted calls are not. */
    static boolean worthRetrying(Throwable t) {
        return t instanceof SchedulerException e && e.isTransient() && !(e instanceof CallRefused) && !interrupted(e);
    }

    /** Unreachable-looking failures count; an answer (a 4xx, a rate limit) shows the API is there. */
    static boolean countsAgainstBreaker(Throwable t) {
        return t instanceof SchedulerException e && e.isTransient() && e.retryAfter().isEmpty() && !interrupted(e)
                && !(e instanceof CallRefused);
    }

    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    private static String at(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** A call ends without a further attempt: its time is up; carries the failure to report. */
    static final class Stop extends RuntimeException {
        private final SchedulerException failure;

        Stop(SchedulerException failure) {
            super(failure.getMessage(), failure, false, false);
            this.failure = failure;
        }

        SchedulerException failure() {
            return failure;
        }
    }
}
