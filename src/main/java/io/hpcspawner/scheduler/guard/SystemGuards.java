package io.hpcspawner.scheduler.guard;

import io.hpcspawner.scheduler.SchedulerException;
import io.hpcspawner.scheduler.resilience.CallRefused;
import io.hpcspawner.scheduler.resilience.ResiliencePolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The SmallRye Fault Tolerance guards of one system, built from its {@link ResiliencePolicy}
 * (docs/resilience.md): one circuit breaker counting every attempt, a retrying guard for
 * idempotent calls and a bulkhead for submits, each around the breaker. Keeps what SmallRye does not report itself: when
 * the breaker opened and on which error, for the refusal message and the health.
 */
public final class SystemGuards {

    private final String system;
    private final String api;
    private final ResiliencePolicy policy;
    private final MeterRegistry meters;
    private final AtomicReference<CircuitBreakerState> state = new AtomicReference<>(CircuitBreakerState.CLOSED);
    private final AtomicReference<Instant> openedAt = new AtomicReference<>(Instant.MIN);
    private final AtomicReference<String> lastError = new AtomicReference<>("");
    private final AtomicInteger submitsInFlight = new AtomicInteger();
    private final String breakerName;
    private final Guard breaker;
    private final Guard retry;
    private final Guard bulkhead;
    private final Guard unsentRetry;

    public SystemGuards(String system, String api, ResiliencePolicy policy, MeterRegistry meters) {
        this.system = system;
        this.api = api;
        this.policy = policy;
        this.meters = meters;
        this.breakerName = "hpcspawner-" + system;
        ResiliencePolicy.Retry r = policy.retry();
        ResiliencePolicy.Breaker br = policy.breaker();
        ResiliencePolicy.Submits s = policy.submits();
        this.breaker = Guard.create().withDescription("scheduler " + system + " breaker")
                .withCircuitBreaker().name(breakerName).requestVolumeThreshold(br.failureThreshold())
                .failureRatio(1.0).successThreshold(1).delay(br.openFor().toMillis(), ChronoUnit.MILLIS)
                .when(SystemGuards::countsAgainstBreaker).onStateChange(this::breakerMoved).done()
                .build();
        this.retry = Guard.create().withDescription("scheduler " + system + " retry")
                .withRetry().maxRetries(r.maxAttempts() - 1).delay(r.initialBackoff().toMillis(), ChronoUnit.MILLIS)
                .maxDuration(r.maxDuration().toMillis(), ChronoUnit.MILLIS).jitter(0, ChronoUnit.MILLIS)
                .withCustomBackoff().strategy(() -> new PolicyBackoff(r)).done()
                .whenException(SystemGuards::worthRetrying).done()
                .build();
        this.unsentRetry = Guard.create().withDescription("scheduler " + system + " unsent submit retry")
                .withRetry().maxRetries(r.maxAttempts() - 1).delay(r.initialBackoff().toMillis(), ChronoUnit.MILLIS)
                .maxDuration(r.maxDuration().toMillis(), ChronoUnit.MILLIS).jitter(0, ChronoUnit.MILLIS)
                .withCustomBackoff().strategy(() -> new PolicyBackoff(r)).done()
                .whenException(t -> worthRetrying(t) && ((SchedulerException) t).neverReachedApi()).done()
                .build();
        this.bulkhead = Guard.create().withDescription("scheduler " + system + " submits")
                .withBulkhead().limit(s.concurrency()).queueSize(Math.max(1, s.concurrency()))
                .enableSynchronousQueueing()
                .onAccepted(submitsInFlight::incrementAndGet).onFinished(submitsInFlight::decrementAndGet).done()
                .build();
        Gauge.builder("hpcspawner.scheduler.breaker.open", this, g -> g.breakerState() == CircuitBreakerState.CLOSED ? 0 : 1)
                .tag("system", system).strongReference(true).register(meters);
        Gauge.builder("hpcspawner.scheduler.submits.in.flight", submitsInFlight, AtomicInteger::get)
                .tag("system", system).strongReference(true).register(meters);
    }

    private void breakerMoved(CircuitBreakerState st) {
        if (st == CircuitBreakerState.OPEN && state.get() == CircuitBreakerState.CLOSED) {
            openedAt.set(Instant.now());
        }
        state.set(st);
    }

    /** SmallRye's own view of the system's breaker (it also sees a reset through {@code CircuitBreakerMaintenance}). */
    CircuitBreakerState breakerState() {
        return CircuitBreakerMaintenance.get().currentState(breakerName);
    }

    /** The system's breaker alone: one attempt, counted (SmallRye: requestVolumeThreshold failures in a row open it). */
    Guard breaker() {
        return breaker;
    }

    /** Retries of idempotent calls: backoff, jitter and Retry-After ({@link PolicyBackoff}); wraps {@link #breaker()}. */
    Guard retry() {
        return retry;
    }

    /** Retries of a submit that certainly never reached the API (connection refused...); wraps {@link #breaker()}. */
    Guard unsentRetry() {
        return unsentRetry;
    }

    /** At most {@code submit.concurrency} submits in flight; wraps {@link #breaker()}. */
    Guard bulkhead() {
        return bulkhead;
    }

    /** Null while the breaker is closed, else the refusal a call meets now. */
    CallRefused openRefusal() {
        if (breakerState() == CircuitBreakerState.CLOSED) {
            state.set(CircuitBreakerState.CLOSED);
            return null;
        }
        Instant next = openedAt.get().plus(policy.breaker().openFor());
        Duration left = Duration.between(Instant.now(), next);
        return new CallRefused("breaker_open", api + " for system " + system + " is unreachable since "
                + at(openedAt.get()) + "; next try at " + at(next) + ". Last error: " + lastError.get(),
                left.isNegative() ? Duration.ZERO : left);
    }

    CallRefused submitsFull() {
        return new CallRefused("submits_full", "Too many submits in flight on system " + system + " ("
                + policy.submits().concurrency() + " at once). Try again shortly.", null);
    }

    void failed(SchedulerException e) {
        if (countsAgainstBreaker(e)) {
            lastError.set(e.getMessage());
        }
    }

    void refused(String call, CallRefused e) {
        meters.counter("hpcspawner.scheduler.refused", "system", system, "call", call, "reason", e.reason())
                .increment();
    }

    void retried(String call) {
        meters.counter("hpcspawner.scheduler.retries", "system", system, "call", call).increment();
    }

    int maxAttempts() {
        return policy.retry().maxAttempts();
    }

    /** Transient failures are retried; refusals made here and interrupted calls are not. */
    static boolean worthRetrying(Throwable t) {
        return t instanceof SchedulerException e && e.isTransient() && !(e instanceof CallRefused) && !interrupted(e);
    }

    /** Unreachable-looking failures count; an answer (a 4xx, a rate limit) shows the API is there. */
    static boolean countsAgainstBreaker(Throwable t) {
        return t instanceof SchedulerException e && e.isTransient() && e.retryAfter().isEmpty() && !interrupted(e);
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
}
