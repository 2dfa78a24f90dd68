package io.hpcspawner.scheduler.guard;

import io.hpcspawner.spawn.port.SchedulerException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Times every attempt of a call to one system's scheduler API:
 * {@code hpcspawner_scheduler_calls_seconds{system,call,status}}, a histogram. {@code call} is the
 * port's operation (submit, jobs, job, cancel, head, tail, partitions, reservations, userInfo); {@code status}
 * says how the attempt ended ({@link #status}). Refusals made by the guards are not attempts and
 * are counted apart ({@code hpcspawner_scheduler_refused_total}).
 */
final class SchedulerCallMeters {

    private static final Duration[] BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
        Duration.ofSeconds(60)};

    /** The port's calls that go through the guards; their successes exist from the start, so a first call shows in rate(). */
    static final String[] CALLS = {"submit", "jobs", "job", "cancel", "head", "tail", "partitions", "reservations", "userInfo"};

    private final String system;
    private final MeterRegistry meters;

    SchedulerCallMeters(String system, MeterRegistry meters) {
        this.system = system;
        this.meters = meters;
        for (String call : CALLS) {
            timer(call, "ok");
        }
    }

    /** Runs one attempt of {@code call}, timed under the status it ended with. */
    <T> T time(String call, Callable<T> attempt) throws Exception {
        Timer.Sample sample = Timer.start(meters);
        String status = "error";
        try {
            T result = attempt.call();
            status = "ok";
            return result;
        } catch (SchedulerException e) {
            status = status(e);
            throw e;
        } finally {
            sample.stop(timer(call, status));
        }
    }

    /**
     * How a failed attempt ended: {@code rate_limited} (the API asked to wait), {@code rejected} (it
     * answered and refused, a 4xx), {@code unreachable} (the request never reached it),
     * {@code unavailable} (timeout, 5xx, lost answer: worth another try) or {@code error} (anything else).
     */
    static String status(SchedulerException e) {
        if (e.retryAfter().isPresent()) {
            return "rate_limited";
        }
        if (e.rejected()) {
            return "rejected";
        }
        if (e.neverReachedApi()) {
            return "unreachable";
        }
        return e.isTransient() ? "unavailable" : "error";
    }

    private Timer timer(String call, String status) {
        return Timer.builder("hpcspawner.scheduler.calls").description("Attempts of calls to the scheduler API and"
                + " their latency").tag("system", system).tag("call", call).tag("status", status)
                .serviceLevelObjectives(BUCKETS).register(meters);
    }
}
