package io.hpcspawner.scheduler.resilience;

import io.hpcspawner.scheduler.SchedulerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Stops calling a system whose API keeps failing, so that callers get a fast, clear "unreachable"
 * instead of waiting out timeouts. Closed, it counts consecutive transient failures; at the
 * threshold it opens for a cool-down in which every call is refused at once; then it lets one
 * probe call through (half-open): the probe's success closes it, its failure opens it again. Any
 * answer from the API, an error status included, counts as success: the system is reachable.
 * It never blocks a thread: refusing is a check, not a wait.
 */
final class CircuitBreaker {

    private static final Logger LOG = Logger.getLogger(CircuitBreaker.class);

    private enum State { CLOSED, OPEN, HALF_OPEN }

    private final String system;
    private final String api;
    private final int threshold;
    private final Duration openFor;
    private final Clock clock;

    private State state = State.CLOSED;
    private int failures;
    private Instant failingSince;
    private Instant openUntil;
    /** When the half-open probe was let through; null when none is under way. */
    private Instant probeSince;
    private String lastError = "";

    CircuitBreaker(String system, String api, ResiliencePolicy.Breaker policy, Clock clock) {
        this.system = system;
        this.api = api;
        this.threshold = policy.failureThreshold();
        this.openFor = policy.openFor();
        this.clock = clock;
    }

    /** Lets a call through (possibly as the half-open probe), or says why not. */
    synchronized Optional<CallRefused> admit() {
        Instant now = clock.instant();
        if (state == State.OPEN && !now.isBefore(openUntil)) {
            state = State.HALF_OPEN;
            probeSince = null;
            LOG.infof("System %s: letting one call through to see whether %s answers again", system, api);
        }
        if (state == State.HALF_OPEN && (probeSince == null || !now.isBefore(probeSince.plus(openFor)))) {
            probeSince = now; // the probe (or a new one, if the last never reported back)
            return Optional.empty();
        }
        return state == State.CLOSED ? Optional.empty() : Optional.of(refusal(now));
    }

    /** The refusal {@link #admit()} would give while open, without starting a probe. */
    synchronized Optional<CallRefused> refusalIfOpen() {
        Instant now = clock.instant();
        return state == State.OPEN && now.isBefore(openUntil) ? Optional.of(refusal(now)) : Optional.empty();
    }

    /** The API answered. */
    synchronized void succeeded() {
        if (state != State.CLOSED) {
            LOG.infof("System %s: %s answers again; calls go through", system, api);
        }
        state = State.CLOSED;
        failures = 0;
        failingSince = null;
        probeSince = null;
    }

    /** A call failed in a way that says the API may be unreachable. */
    synchronized void failed(SchedulerException e) {
        Instant now = clock.instant();
        lastError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (failures++ == 0) {
            failingSince = now;
        }
        if (state == State.HALF_OPEN || (state == State.CLOSED && failures >= threshold)) {
            state = State.OPEN;
            openUntil = now.plus(openFor);
            probeSince = null;
            LOG.warnf("System %s: %s failed %d times in a row since %s; refusing calls until %s. Last error: %s", system,
                    api, failures, at(failingSince), at(openUntil), lastError);
        }
    }

    /** A call admitted here ended without telling anything about the API (e.g. it was interrupted). */
    synchronized void abandoned() {
        probeSince = null;
    }

    /** True while open or half-open. */
    synchronized boolean isOpen() {
        return state != State.CLOSED;
    }

    private CallRefused refusal(Instant now) {
        Instant next = state == State.OPEN ? openUntil : now;
        return new CallRefused("breaker_open", api + " for system " + system + " is unreachable since " + at(failingSince)
                + "; next try at " + at(next) + (state == State.HALF_OPEN ? " (a test call is under way)" : "")
                + ". Last error: " + lastError, Duration.between(now, next));
    }

    private static String at(Instant t) {
        return t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
