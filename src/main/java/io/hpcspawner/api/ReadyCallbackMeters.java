package io.hpcspawner.api;

import io.hpcspawner.spawn.model.ConflictException;
import io.hpcspawner.spawn.model.InvalidRequestException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counts ready signals the service turned away: {@code hpcspawner_ready_callback_failures_total{reason}}
 * with reason {@code bad_request} (no port, bad host or port), {@code secret} (unknown server or wrong
 * secret), {@code too_late} (the start is no longer starting) or {@code error}. Every reason is
 * registered at zero so a dashboard shows 0 before the first failure.
 */
@Startup
@ApplicationScoped
public class ReadyCallbackMeters {

    static final String[] REASONS = {"bad_request", "secret", "too_late", "error"};

    private final MeterRegistry meters;

    public ReadyCallbackMeters(MeterRegistry meters) {
        this.meters = meters;
        for (String reason : REASONS) {
            counter(reason);
        }
    }

    /** One refused ready signal, by what refused it. */
    void failed(RuntimeException e) {
        counter(reason(e)).increment();
    }

    static String reason(RuntimeException e) {
        if (e instanceof InvalidRequestException || e instanceof ApiException a && a.status() == 400) {
            return "bad_request";
        }
        if (e instanceof SecurityException || e instanceof ApiException) {
            return "secret";
        }
        return e instanceof ConflictException ? "too_late" : "error";
    }

    private Counter counter(String reason) {
        return Counter.builder("hpcspawner.ready.callback.failures").description("Ready signals refused")
                .tag("reason", reason).register(meters);
    }
}
