package io.hpcspawner.watch;

import io.hpcspawner.spawn.model.WatchRules;
import io.hpcspawner.spawn.port.Leadership;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.service.Reconciler;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Polls each system with one batched status query per interval, for all of its jobs at once:
 * fast while any of its servers is starting or stopping, slow otherwise, each interval spread
 * by a random jitter so restarts do not synchronise the load. The first successful round of a
 * system after start-up reconciles its records with the scheduler. The hub's polls are answered
 * from the records this keeps fresh, never by a scheduler call of their own. Each system is
 * polled on its own thread: a system whose API hangs holds up only its own rounds.
 */
@ApplicationScoped
public class JobWatcher {

    private static final Logger LOG = Logger.getLogger(JobWatcher.class);

    private final WatchRules watch;
    private final SchedulerRegistry schedulers;
    private final Reconciler reconciler;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, Instant> nextPoll = new ConcurrentHashMap<>();
    private final Map<String, Boolean> reconciled = new ConcurrentHashMap<>();
    /** One thread per system; a round is not started while the system's previous one runs. */
    private final Map<String, ExecutorService> threads = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> polling = new ConcurrentHashMap<>();
    /** Only the leading replica polls (docs/operations.md, "Several replicas"); one replica always leads. */
    @Inject
    Leadership leadership = () -> true;

    public JobWatcher(WatchRules watch, SchedulerRegistry schedulers, Reconciler reconciler, MeterRegistry meters,
            Clock clock) {
        this.watch = watch;
        this.schedulers = schedulers;
        this.reconciler = reconciler;
        this.meters = meters;
        this.clock = clock;
    }

    @Scheduled(every = "${hpcspawner.watch.tick:1s}", delay = 0, concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        if (!leadership.leads()) {
            reconciled.clear(); // a replica that gains the leadership starts with a reconciliation round
            return;
        }
        for (String system : schedulers.systems()) {
            Instant now = clock.instant();
            boolean busy = !reconciled.getOrDefault(system, false) || reconciler.busy(system);
            Instant due = nextPoll.getOrDefault(system, Instant.MIN);
            Instant fastDue = now.plus(watch.fastInterval());
            if (busy && due.isAfter(fastDue)) {
                due = now; // a new start: do not wait out the slow interval
            }
            if (due.isAfter(now)) {
                continue;
            }
            AtomicBoolean running = polling.computeIfAbsent(system, s -> new AtomicBoolean());
            if (!running.compareAndSet(false, true)) {
                continue; // its previous round is still waiting for the scheduler
            }
            threadOf(system).execute(() -> {
                try {
                    poll(system);
                    nextPoll.put(system, clock.instant().plus(withJitter(busy ? watch.fastInterval()
                            : watch.slowInterval())));
                } finally {
                    running.set(false);
                }
            });
        }
    }

    private ExecutorService threadOf(String system) {
        return threads.computeIfAbsent(system, s -> Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "job-watcher-" + s);
            t.setDaemon(true);
            return t;
        }));
    }

    void onStop(@Observes ShutdownEvent event) {
        threads.values().forEach(ExecutorService::shutdownNow);
    }

    /** True once every system has been reconciled with its scheduler since start-up. */
    public boolean isReconciled() {
        return schedulers.systems().stream().allMatch(s -> reconciled.getOrDefault(s, false));
    }

    private void poll(String system) {
        boolean first = !reconciled.getOrDefault(system, false);
        long t0 = System.nanoTime();
        boolean answered;
        try {
            answered = reconciler.reconcile(system);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Watching system %s failed", system);
            answered = false;
        }
        meters.timer("hpcspawner.watch.round", "system", system, "answered", Boolean.toString(answered))
                .record(Duration.ofNanos(System.nanoTime() - t0));
        if (answered && first) {
            reconciled.put(system, true);
            LOG.infof("System %s reconciled with its scheduler", system);
        }
    }

    private Duration withJitter(Duration base) {
        double j = watch.jitter();
        double factor = 1 + (j == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-j, j));
        return Duration.ofMillis(Math.max(100, (long) (base.toMillis() * factor)));
    }
}
