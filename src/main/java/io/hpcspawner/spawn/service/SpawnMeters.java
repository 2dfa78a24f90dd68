package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.Transition;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The metrics of starts, fed by {@link ServerLifecycle} with each state change: how starts end
 * ({@code hpcspawner_spawns_total{system,outcome}}: ready, failed, or cancelled by a stop before
 * ready), the time from the request to the ready server and the time a job waited in the queue
 * (histograms per system). Labels are the system and the outcome only, never a user or server.
 */
@ApplicationScoped
public class SpawnMeters {

    /** How a start ended, as the {@code outcome} label says it. */
    enum Outcome {
        READY, FAILED, CANCELLED;

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Duration[] READY_BUCKETS = seconds(5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600,
            12 * 3600, 24 * 3600);
    private static final Duration[] QUEUE_BUCKETS = seconds(1, 5, 10, 30, 60, 300, 600, 1800, 3600, 4 * 3600,
            12 * 3600, 24 * 3600);

    private final MeterRegistry meters;

    public SpawnMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    /** Every series of {@code system} at zero, so a dashboard shows 0 rather than no data before the first start. */
    public void register(String system) {
        for (Outcome o : Outcome.values()) {
            spawns(system, o);
        }
        readyTimer(system);
        queueTimer(system);
    }

    /** {@code r} moved from {@code before} (null: a new start) to its current state at {@code now}. */
    void changed(ServerState before, ServerRecord r, Instant now) {
        ServerState after = r.state();
        if (after == before || before != null && !before.isStarting()) {
            return;
        }
        if (before == ServerState.QUEUED && (after == ServerState.STARTING || after == ServerState.RUNNING)) {
            enteredLast(r, ServerState.QUEUED).ifPresent(at -> queueTimer(r.system()).record(between(at, now)));
        }
        outcome(after).ifPresent(o -> {
            spawns(r.system(), o).increment();
            if (o == Outcome.READY) {
                readyTimer(r.system()).record(between(r.createdAt(), now));
            }
        });
    }

    /** The outcome a start reaches by entering {@code state} from a starting state; empty while it still starts. */
    static Optional<Outcome> outcome(ServerState state) {
        return switch (state) {
            case RUNNING -> Optional.of(Outcome.READY);
            case FAILED -> Optional.of(Outcome.FAILED);
            case STOPPING, STOPPED -> Optional.of(Outcome.CANCELLED);
            default -> Optional.empty();
        };
    }

    private Counter spawns(String system, Outcome o) {
        return Counter.builder("hpcspawner.spawns").description("Starts that ended: ready, failed, or cancelled by a stop"
                + " before ready").tag("system", system).tag("outcome", o.label()).register(meters);
    }

    private Timer readyTimer(String system) {
        return Timer.builder("hpcspawner.spawn.ready").description("Time from a start's request to its server's ready"
                + " signal").tag("system", system).serviceLevelObjectives(READY_BUCKETS).register(meters);
    }

    private Timer queueTimer(String system) {
        return Timer.builder("hpcspawner.spawn.queue.wait").description("Time a start's job waited in the scheduler's"
                + " queue until it ran").tag("system", system).serviceLevelObjectives(QUEUE_BUCKETS).register(meters);
    }

    private static Optional<Instant> enteredLast(ServerRecord r, ServerState state) {
        List<Transition> ts = r.transitions();
        for (int i = ts.size() - 1; i >= 0; i--) {
            if (ts.get(i).state() == state) {
                return Optional.of(ts.get(i).at());
            }
        }
        return Optional.empty();
    }

    private static Duration between(Instant from, Instant to) {
        Duration d = from == null ? Duration.ZERO : Duration.between(from, to);
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static Duration[] seconds(long... values) {
        Duration[] d = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = Duration.ofSeconds(values[i]);
        }
        return d;
    }
}
