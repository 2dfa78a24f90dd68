package io.hpcspawner.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.leadership.LeaseLeadership;
import io.hpcspawner.leadership.LeaseSettings;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Leadership;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.service.Reconciler;
import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two replicas in one JVM, each a real {@link JobWatcher} gated by a real {@link LeaseLeadership}
 * on one fabric8 mock API server (CRUD mode), share one scheduler and one record store. The leader
 * is killed in the middle of a round (its elector stopped, the lease not released); the other takes
 * over within the lease duration, and no job is submitted or cancelled twice, no record is lost.
 *
 * <p>The rounds are a stand-in for the {@link Reconciler} (the real one needs the whole domain):
 * like it, one listing per round, then per record "has this replica still the lead?" before the
 * step, a start whose submit was cut off adopts its job by name, a stopping server's job is
 * cancelled once, and each write is optimistic (a record changed since it was read is not
 * overwritten), as the Kubernetes store's writes are. {@link ReconcilerFailoverTest} runs the real
 * reconciler on the real Kubernetes store.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderFailoverTest {

    /** Lease duration, renew deadline, retry period: short here; {@code -Dfailover.timings=15s,10s,2s} measures the defaults. */
    static final List<Duration> TIMINGS = java.util.Arrays.stream(System.getProperty("failover.timings", "3s,2s,400ms")
            .split(",")).map(t -> new io.quarkus.runtime.configuration.DurationConverter().convert(t.trim())).toList();
    static final Duration LEASE = TIMINGS.get(0);
    static final Duration RENEW_DEADLINE = TIMINGS.get(1);
    static final Duration RETRY = TIMINGS.get(2);
    static final String SYSTEM = "testsys";
    static final String PREFIX = "hpcsp-abc123-";

    static KubernetesMockServer server; // set by the extension: one API server both replicas talk to
    final FakeScheduler scheduler = new FakeScheduler();
    final SharedRecords records = new SharedRecords();
    final List<Replica> replicas = new ArrayList<>();

    @AfterEach
    void stopAll() {
        replicas.forEach(Replica::close);
    }

    @Test
    void whenTheLeaderDiesMidRoundTheOtherTakesOverWithoutRepeatingAnything() throws Exception {
        for (int i = 0; i < 6; i++) {
            records.put(new Rec("start-" + i, "submitting", null, 0));
        }
        for (int i = 0; i < 6; i++) {
            String job = scheduler.submit(submission("stop-" + i));
            records.put(new Rec("stop-" + i, "stopping", job, 0));
        }
        scheduler.submits.set(0);

        Replica a = replica("replica-a");
        await().atMost(LEASE.plusSeconds(5)).until(a.leadership::leads);
        Replica b = replica("replica-b");
        // a's first round stops in the middle: after its third step's scheduler call, before its write
        a.pauseAfterSteps.set(3);
        tickUntil(() -> a.paused.getCount() == 0, a, b);
        assertThat(b.leadership.leads()).as("one leader at a time").isFalse();
        assertThat(b.rounds).as("a follower runs no round").hasValue(0);

        long killed = System.nanoTime();
        a.kill();
        tickUntil(b.leadership::leads, a, b);
        Duration takeOver = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf("take-over after the leader was killed: %d ms (lease %s, retry %s)%n",
                takeOver.toMillis(), LEASE, RETRY);
        a.resume.countDown(); // the old round wakes up: its next step must not happen
        tickUntil(() -> records.all().stream().allMatch(r -> r.state().equals("queued") || r.state().equals("stopped")),
                a, b);
        tickUntil(b.watcher::isReconciled, a, b);
        System.out.printf("the new leader's first round ended %d ms after the kill%n",
                Duration.ofNanos(System.nanoTime() - killed).toMillis());

        assertThat(takeOver).isLessThan(LEASE.plus(RETRY).plusSeconds(2));
        assertThat(a.stepsAfterResume).as("steps of the deposed leader's round after it woke").hasValue(0);
        assertThat(records.all()).as("no record lost").hasSize(12);
        assertThat(scheduler.submits).as("one submit per start, none twice").hasValue(6);
        assertThat(scheduler.jobs.values().stream().map(j -> j.submission.name()).distinct().count())
                .as("one job per server").isEqualTo(12);
        assertThat(scheduler.cancels).as("one cancel per stopping server, none twice").hasValue(6);
        assertThat(a.watcher.isReconciled()).as("a replica that no longer leads forgets its reconciliation").isFalse();
        assertThat(b.firstRoundReconciled).as("the new leader's first round was a reconciliation round").isTrue();
    }

    /** Calls both replicas' watcher ticks (the scheduler's job in the service) until the condition holds. */
    private void tickUntil(java.util.concurrent.Callable<Boolean> condition, Replica... all) {
        await().atMost(LEASE.plusSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (Replica r : all) {
                r.watcher.tick();
            }
            return condition.call();
        });
    }

    private Replica replica(String identity) {
        Replica r = new Replica(identity, server.createClient());
        replicas.add(r);
        return r;
    }

    static JobSubmission submission(String server) {
        return new JobSubmission(PREFIX + server, "alice", "#!/bin/bash", "debug", 1, Optional.empty(), 10,
                Optional.empty(), "/tmp", "/tmp/out", Map.of());
    }

    /** One replica: its own client, lease leadership, watcher and rounds. */
    final class Replica {
        final KubernetesClient client;
        final LeaseLeadership leadership;
        final JobWatcher watcher;
        final AtomicInteger rounds = new AtomicInteger();
        final AtomicInteger pauseAfterSteps = new AtomicInteger(-1);
        final CountDownLatch paused = new CountDownLatch(1);
        final CountDownLatch resume = new CountDownLatch(1);
        final AtomicInteger stepsAfterResume = new AtomicInteger();
        volatile boolean firstRoundReconciled;

        Replica(String identity, KubernetesClient client) {
            this.client = client;
            this.leadership = new LeaseLeadership(client, LeaseSettings.of("test.", "hpcspawner-leader",
                    Optional.of("test"), identity, LEASE, RENEW_DEADLINE, RETRY), false, new SimpleMeterRegistry());
            Map<String, String> p = TestConfigs.minimal();
            p.put("hpcspawner.watch.fast-interval", "0.1s");
            p.put("hpcspawner.watch.slow-interval", "0.1s");
            p.put("hpcspawner.watch.jitter", "0");
            this.watcher = new JobWatcher(DomainSettings.watching(TestConfigs.from(p)),
                    new SchedulerRegistry(Map.of(SYSTEM, scheduler)), new Rounds(this), new SimpleMeterRegistry(),
                    Clock.systemUTC());
            this.watcher.leadership = leadership;
            leadership.start();
        }

        /** Killed: the elector stops without handing the lease over; a stuck round stays where it is. */
        void kill() {
            leadership.stop();
        }

        void close() {
            leadership.stop();
            resume.countDown();
            watcher.onStop(null);
            client.close();
        }
    }

    /** The stand-in for the reconciler's round (see the class comment). */
    final class Rounds extends Reconciler {
        private final Replica replica;

        Rounds(Replica replica) {
            super(null, null, null, null, null, null, null, null, null, null, Clock.systemUTC());
            this.replica = replica;
        }

        @Override
        public List<ServerRecord> activeRecords(String system) {
            return List.of(); // the watcher's busy check; the intervals here are all fast
        }

        @Override
        public boolean busy(String system) {
            return false; // the watcher's pace; the intervals here are all fast
        }

        @Override
        public boolean reconcile(String system) {
            Leadership leadership = replica.leadership;
            if (replica.rounds.getAndIncrement() == 0 && !replica.watcher.isReconciled()) {
                replica.firstRoundReconciled = true;
            }
            Map<String, JobInfo> byName = new ConcurrentHashMap<>();
            scheduler.jobs(Set.of(), PREFIX).forEach(j -> byName.put(j.name(), j));
            int steps = 0;
            boolean woke = false;
            for (Rec r : records.all()) {
                if (!leadership.leads()) {
                    return false; // as Reconciler: stop before the next step
                }
                if (woke) {
                    replica.stepsAfterResume.incrementAndGet();
                }
                Rec next = step(r, byName);
                if (next == null) {
                    continue;
                }
                if (++steps == replica.pauseAfterSteps.get()) {
                    replica.pauseAfterSteps.set(-1);
                    replica.paused.countDown();
                    try {
                        replica.resume.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                    woke = true;
                }
                records.replace(r, next);
            }
            return true;
        }

        /** The record after one step, or null when it needs none. */
        private Rec step(Rec r, Map<String, JobInfo> byName) {
            JobInfo job = byName.get(PREFIX + r.server());
            if (r.state().equals("submitting")) {
                String id = job != null ? job.id() : scheduler.submit(submission(r.server())); // adopt by name first
                return new Rec(r.server(), "queued", id, r.version() + 1);
            }
            if (r.state().equals("stopping")) {
                if (job != null && job.phase() != JobPhase.ENDED) {
                    scheduler.cancel(job.id(), "alice");
                }
                return new Rec(r.server(), "stopped", r.jobId(), r.version() + 1);
            }
            return null;
        }
    }

    record Rec(String server, String state, String jobId, long version) {
    }

    /** The records both replicas share, written optimistically (by version) as in the Kubernetes store. */
    static final class SharedRecords {
        private final Map<String, Rec> byServer = new ConcurrentHashMap<>();

        void put(Rec r) {
            byServer.put(r.server(), r);
        }

        List<Rec> all() {
            return byServer.values().stream().sorted(java.util.Comparator.comparing(Rec::server)).toList();
        }

        /** Writes {@code next} only if the record is still {@code read}; false: changed meanwhile (a conflict). */
        boolean replace(Rec read, Rec next) {
            return byServer.replace(read.server(), read, next);
        }
    }
}
