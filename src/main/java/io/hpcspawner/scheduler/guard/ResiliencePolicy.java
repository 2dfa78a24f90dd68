package io.hpcspawner.scheduler.guard;

import java.time.Duration;
import java.util.Objects;

/**
 * The fault-handling settings of one system: how calls are retried, when its circuit breaker
 * opens, and how many submits may be in flight. The composition root builds one per system from
 * {@code hpcspawner.systems.<name>.resilience.*} (docs/resilience.md); the names in messages and
 * below are relative to that prefix. {@link #defaults()} are the documented defaults.
 */
public record ResiliencePolicy(Retry retry, Breaker breaker, Submits submits) {

    public ResiliencePolicy {
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(breaker, "breaker");
        Objects.requireNonNull(submits, "submits");
    }

    /** The documented defaults. */
    public static ResiliencePolicy defaults() {
        return new ResiliencePolicy(Retry.defaults(), Breaker.defaults(), Submits.defaults());
    }

    /**
     * Retries of transient failures ({@code retry.*}).
     *
     * @param maxAttempts attempts per call, the first included (1 = no retries)
     * @param initialBackoff wait before the first retry; it doubles for each further one
     * @param maxBackoff the longest wait between two attempts (before jitter)
     * @param jitter the fraction of each wait that is random (0 to 1): a wait {@code d} becomes
     *     a value between {@code d * (1 - jitter)} and {@code d}
     * @param maxDuration the time one call may spend on attempts and waits; no retry starts after
     *     it (a started attempt still runs to its own request timeout)
     * @param maxRetryAfter the longest wait a 429/503 {@code Retry-After} is honoured for; a
     *     longer one is cut to this
     * @param submitLookupDelay after a submit whose answer was lost, how long to wait before
     *     looking the job up by name, so a submit still running on the server shows up
     */
    public record Retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double jitter,
            Duration maxDuration, Duration maxRetryAfter, Duration submitLookupDelay) {

        public Retry {
            require(maxAttempts >= 1, "retry.max-attempts must be at least 1");
            requirePositive(initialBackoff, "retry.initial-backoff");
            requirePositive(maxBackoff, "retry.max-backoff");
            require(jitter >= 0 && jitter <= 1, "retry.jitter must be from 0 to 1");
            requirePositive(maxDuration, "retry.max-duration");
            requireNotNegative(maxRetryAfter, "retry.max-retry-after");
            requireNotNegative(submitLookupDelay, "retry.submit-lookup-delay");
        }

        public static Retry defaults() {
            return new Retry(3, Duration.ofMillis(250), Duration.ofSeconds(4), 0.5, Duration.ofSeconds(15),
                    Duration.ofSeconds(30), Duration.ofSeconds(2));
        }
    }

    /**
     * The circuit breaker ({@code breaker.*}).
     *
     * @param failureThreshold consecutive transient failures (attempts, not calls) that open it
     * @param openFor how long it stays open before one probe call is let through
     */
    public record Breaker(int failureThreshold, Duration openFor) {

        public Breaker {
            require(failureThreshold >= 1, "breaker.failure-threshold must be at least 1");
            requirePositive(openFor, "breaker.open-for");
        }

        public static Breaker defaults() {
            return new Breaker(5, Duration.ofSeconds(30));
        }
    }

    /**
     * The submit bulkhead ({@code submit.*}).
     *
     * @param concurrency submits in flight at once on this system
     * @param queueWait how long a further submit waits for a free slot before it fails
     */
    public record Submits(int concurrency, Duration queueWait) {

        public Submits {
            require(concurrency >= 1, "submit.concurrency must be at least 1");
            requireNotNegative(queueWait, "submit.queue-wait");
        }

        public static Submits defaults() {
            return new Submits(4, Duration.ofSeconds(30));
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    private static void requirePositive(Duration d, String name) {
        require(d != null && !d.isNegative() && !d.isZero(), name + " must be longer than zero");
    }

    private static void requireNotNegative(Duration d, String name) {
        require(d != null && !d.isNegative(), name + " must not be negative");
    }
}
