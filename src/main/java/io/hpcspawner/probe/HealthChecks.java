package io.hpcspawner.probe;

import io.hpcspawner.spawn.model.ConflictException;
import io.hpcspawner.spawn.port.Sleeper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Runs the end-to-end check on demand, one at a time, in the background, and keeps the latest
 * result for the admin API and the metrics {@code hpcspawner_health_check_passed} (1 passed, 0
 * failed, absent before the first check), {@code hpcspawner_health_check_seconds} and
 * {@code hpcspawner_health_check_end_timestamp_seconds}.
 */
public final class HealthChecks {

    private static final Logger LOG = Logger.getLogger(HealthChecks.class);

    private final Optional<CheckSettings> settings;
    private final Hub hub;
    private final ServerView service;
    private final Clock clock;
    private final Sleeper sleeper;
    private final AtomicReference<CheckResult> latest = new AtomicReference<>();
    private final AtomicReference<CheckResult> done = new AtomicReference<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "health-check");
        t.setDaemon(true);
        return t;
    });

    /** @param hub null when the check is not configured */
    public HealthChecks(Optional<CheckSettings> settings, Hub hub, ServerView service, Clock clock, Sleeper sleeper,
            MeterRegistry meters) {
        this.settings = settings;
        this.hub = hub;
        this.service = service;
        this.clock = clock;
        this.sleeper = sleeper;
        Gauge.builder("hpcspawner.health.check.passed", done, d -> d.get() == null ? Double.NaN : d.get().passed() ? 1 : 0)
                .description("Whether the latest end-to-end check passed (1) or failed (0)").register(meters);
        Gauge.builder("hpcspawner.health.check", done, d -> d.get() == null ? Double.NaN : d.get().seconds())
                .description("How long the latest end-to-end check took").baseUnit("seconds").register(meters);
        Gauge.builder("hpcspawner.health.check.end.timestamp", done,
                d -> d.get() == null ? Double.NaN : d.get().endedAt().toEpochMilli() / 1000.0)
                .description("When the latest end-to-end check ended (Unix time)").baseUnit("seconds").register(meters);
    }

    /**
     * Starts a check in the background and returns its first view.
     *
     * @throws ConflictException when the check is not configured, or one is running
     */
    public synchronized CheckResult start() {
        CheckSettings s = settings.orElseThrow(() -> new ConflictException("health_check_not_configured",
                "the end-to-end check is not configured: set hpcspawner.health-check.hub-api-url and"
                        + " hpcspawner.health-check.hub-token (docs/operations.md, \"End-to-end health check\")"));
        CheckResult now = latest.get();
        if (now != null && now.endedAt() == null) {
            throw new ConflictException("health_check_running", "a check of " + now.user() + "/" + now.server()
                    + " is running since " + now.startedAt() + "; GET /api/v1/admin/health-check follows it");
        }
        CheckResult first = new CheckResult("running", s.user(), s.server(), clock.instant(), null, List.of(), null);
        latest.set(first);
        runner.submit(() -> {
            CheckResult r;
            try {
                r = new PathCheck(s, hub, service, clock, sleeper, latest::set).run();
            } catch (RuntimeException e) {
                r = new CheckResult("failed", s.user(), s.server(), first.startedAt(), clock.instant(),
                        Optional.ofNullable(latest.get()).map(CheckResult::steps).orElse(List.of()),
                        "the check broke: " + e);
            }
            latest.set(r);
            done.set(r);
            if (r.passed()) {
                LOG.infof("End-to-end check of %s/%s passed in %.1f s: %s", r.user(), r.server(), r.seconds(), r.steps());
            } else {
                LOG.warnf("End-to-end check of %s/%s failed after %.1f s: %s", r.user(), r.server(), r.seconds(), r.error());
            }
        });
        return first;
    }

    /** The running check's progress, or the latest result; empty before the first check. */
    public Optional<CheckResult> latest() {
        return Optional.ofNullable(latest.get());
    }
}
