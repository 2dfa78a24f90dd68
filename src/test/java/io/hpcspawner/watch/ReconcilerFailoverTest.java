package io.hpcspawner.watch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.leadership.LeaseLeadership;
import io.hpcspawner.leadership.LeaseSettings;
import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.rules.JobNames;
import io.hpcspawner.spawn.service.OrphanSweep;
import io.hpcspawner.spawn.service.ReadyAddresses;
import io.hpcspawner.spawn.service.Reconciler;
import io.hpcspawner.spawn.service.ServerEvents;
import io.hpcspawner.spawn.service.ServerLifecycle;
import io.hpcspawner.spawn.service.ServerLocks;
import io.hpcspawner.spawn.service.ServerReady;
import io.hpcspawner.spawn.service.SpawnMeters;
import io.hpcspawner.spawn.service.StopCancels;
import io.hpcspawner.spawn.service.SubmitsInFlight;
import io.hpcspawner.store.kubernetes.KubernetesServerStore;
import io.hpcspawner.store.kubernetes.MockApiServer;
import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.TestConfigs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fail-over with the real domain (issue 14): two replicas in one JVM, each with its own
 * {@link KubernetesServerStore} on one fabric8 mock API server (CRUD), its own lifecycle, stop
 * cancels, orphan sweep and a real {@link Reconciler}, driven by a real {@link JobWatcher} gated by
 * a real {@link LeaseLeadership}; both share one scheduler. The leader is killed (its elector
 * stopped, the lease not released) while its round waits inside a cancel; the other replica takes
 * over. What a user would notice is checked: no job submitted or cancelled twice, every record on
 * the survivor in the right state, no job of a record cancelled as an orphan.
 *
 * <p>{@link LeaderFailoverTest} checks the same hand-over with a stand-in round and a map store.
 */
class ReconcilerFailoverTest {

    static final String SYSTEM = "testsys";
    static final int EACH = 4; // servers of each kind

    final CountingScheduler scheduler = new CountingScheduler();
    final List<Replica> replicas = new ArrayList<>();
    MockApiServer api;
    SpawnerConfig config;
    JobNames names;

    @BeforeEach
    void apiServer() {
        api = new MockApiServer();
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.watch.fast-interval", "0.1s");
        p.put("hpcspawner.watch.slow-interval", "0.1s");
        p.put("hpcspawner.watch.jitter", "0");
        config = TestConfigs.from(p);
        // the deployment of ServerRecords' job names, begun before any of the jobs here
        names = new JobNames(config.jobNamePrefix(),
                new DeploymentIdentity("test01", Instant.now().minus(Duration.ofDays(1))));
    }

    @AfterEach
    void stopAll() {
        replicas.forEach(Replica::close);
        api.close();
    }

    @Test
    void whenTheLeaderDiesInsideACancelTheOtherFinishesItsWorkWithoutRepeatingAnySchedulerCall() {
        KubernetesServerStore seed = api.store();
        List<ServerRecord> cutOff = new ArrayList<>();
        List<ServerRecord> stopping = new ArrayList<>();
        List<ServerRecord> running = new ArrayList<>();
        Map<String, String> jobOf = new ConcurrentHashMap<>(); // server id to the job the scheduler has for it
        for (int i = 0; i < EACH; i++) {
            ServerRecord c = ServerRecords.submitting(new ServerKey("cut" + i, "")); // the service died mid-submit
            FakeScheduler.Job queued = scheduler.addForeign(c.jobName(), "cut" + i);
            queued.phase = JobPhase.PENDING;
            queued.state = "PENDING";
            queued.node = null;
            jobOf.put(c.id(), queued.id);
            cutOff.add(c);

            ServerRecord s = ServerRecords.stopping(new ServerKey("stop" + i, ""), "pending");
            jobOf.put(s.id(), scheduler.addForeign(s.jobName(), "stop" + i).id); // its cancel is due
            stopping.add(ServerRecords.withJob(s, jobOf.get(s.id())));

            ServerRecord r = ServerRecords.queued(new ServerKey("run" + i, ""), "pending");
            jobOf.put(r.id(), scheduler.addForeign(r.jobName(), "run" + i).id);
            running.add(ServerRecords.enter(ServerRecords.withJob(r, jobOf.get(r.id())), ServerState.RUNNING, "Ready",
                    r.createdAt().plusSeconds(5)));
        }
        String orphan = scheduler.addForeign(names.nameFor("orphan000001"), "zed").id; // this deployment's, no record owns it
        cutOff.forEach(seed::save);
        stopping.forEach(seed::save);
        running.forEach(seed::save);

        Replica a = replica("replica-a");
        await().atMost(LeaderFailoverTest.LEASE.plusSeconds(5)).until(a.leadership::leads);
        Replica b = replica("replica-b");
        scheduler.blockAtCancel(2); // a's round stops inside its second cancel, until it is killed
        tickUntil(() -> scheduler.blocked.getCount() == 0, a, b);
        assertThat(b.leadership.leads()).as("one leader at a time").isFalse();

        int cancelsOfTheOldLeader = scheduler.cancelsByJob.size();
        long killed = System.nanoTime();
        a.kill();
        scheduler.release.countDown(); // the cancel a was sending returns; a's round must stop before its next step
        tickUntil(b.leadership::leads, a, b);
        Duration takeOver = Duration.ofNanos(System.nanoTime() - killed);
        System.out.printf("real reconciler: take-over after the leader was killed: %d ms (lease %s, retry %s)%n",
                takeOver.toMillis(), LeaderFailoverTest.LEASE, LeaderFailoverTest.RETRY);
        tickUntil(() -> b.watcher.isReconciled() && scheduler.cancelsOf(orphan) > 0 && stopping.stream()
                .allMatch(s -> stateOn(b, s) == ServerState.STOPPED), a, b);
        System.out.printf("real reconciler: the new leader's work was done %d ms after the kill%n",
                Duration.ofNanos(System.nanoTime() - killed).toMillis());

        assertThat(takeOver).isLessThan(LeaderFailoverTest.LEASE.plus(LeaderFailoverTest.RETRY).plusSeconds(2));
        assertThat(cancelsOfTheOldLeader).as("the leader was killed in the middle of its round").isEqualTo(2);
        assertThat(scheduler.callsAfterRelease).as("scheduler calls of the deposed leader's round after it woke")
                .hasValue(0);
        assertThat(scheduler.submits).as("no start submitted again: cut-off submits adopt their job").hasValue(0);
        assertThat(scheduler.jobs.values().stream().collect(Collectors.groupingBy(j -> j.submission.name(),
                Collectors.counting()))).as("one job per server").allSatisfy((name, n) -> assertThat(n).isEqualTo(1));
        assertThat(scheduler.cancelsByJob).as("no job cancelled twice").allSatisfy((job, n) -> assertThat(n).hasValue(1));
        assertThat(scheduler.cancelsByJob.keySet()).as("cancelled: the stopping servers' jobs and the orphan, nothing else")
                .containsExactlyInAnyOrderElementsOf(concat(stopping.stream().map(s -> jobOf.get(s.id())).toList(), orphan));

        List<ServerRecord> survivor = b.store.all();
        assertThat(survivor).as("no record lost").hasSize(3 * EACH);
        Map<String, ServerRecord> byId = survivor.stream().collect(Collectors.toMap(ServerRecord::id, Function.identity()));
        cutOff.forEach(c -> {
            assertThat(byId.get(c.id()).jobId()).as("a cut-off submit adopted its job by name").isEqualTo(jobOf.get(c.id()));
            assertThat(byId.get(c.id()).state()).isEqualTo(ServerState.QUEUED);
        });
        stopping.forEach(s -> assertThat(byId.get(s.id()).state()).isEqualTo(ServerState.STOPPED));
        running.forEach(r -> {
            assertThat(byId.get(r.id()).state()).isEqualTo(ServerState.RUNNING);
            assertThat(scheduler.jobs.get(jobOf.get(r.id())).phase).as("a running server's job lives").isEqualTo(JobPhase.RUNNING);
        });
        assertThat(a.watcher.isReconciled()).as("a replica that no longer leads forgets its reconciliation").isFalse();
    }

    private static List<String> concat(List<String> some, String one) {
        List<String> all = new ArrayList<>(some);
        all.add(one);
        return all;
    }

    private static ServerState stateOn(Replica r, ServerRecord record) {
        return r.store.find(record.key()).map(ServerRecord::state).orElse(null);
    }

    /** Calls both replicas' watcher ticks (the scheduler's job in the service) until the condition holds. */
    private void tickUntil(Callable<Boolean> condition, Replica... all) {
        await().atMost(LeaderFailoverTest.LEASE.plusSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> {
            for (Replica r : all) {
                r.watcher.tick();
            }
            return condition.call();
        });
    }

    private Replica replica(String identity) {
        Replica r = new Replica(identity);
        replicas.add(r);
        return r;
    }

    /** One replica: its own API client, store, domain services, lease leadership and watcher. */
    final class Replica {
        final KubernetesClient client = api.client();
        final KubernetesServerStore store = api.store();
        final LeaseLeadership leadership;
        final JobWatcher watcher;

        Replica(String identity) {
            leadership = new LeaseLeadership(client, LeaseSettings.of("test.", "hpcspawner-leader", Optional.of("test"),
                    identity, LeaderFailoverTest.LEASE, LeaderFailoverTest.RENEW_DEADLINE, LeaderFailoverTest.RETRY), false,
                    new SimpleMeterRegistry());
            Clock clock = Clock.systemUTC();
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            SchedulerRegistry schedulers = new SchedulerRegistry(Map.of(SYSTEM, scheduler));
            ServerLifecycle lifecycle = new ServerLifecycle(store, new ServerLocks(), new ServerEvents(), clock,
                    new SpawnMeters(meters));
            Reconciler reconciler = new Reconciler(DomainSettings.watching(config), DomainSettings.systemsOf(config),
                    schedulers, lifecycle, new StopCancels(schedulers, lifecycle, clock),
                    new ServerReady(new ReadyAddresses(DomainSettings.systemsOf(config), schedulers), lifecycle), names,
                    new OrphanSweep(DomainSettings.orphans(config), names, clock, meters), new SubmitsInFlight(),
                    leadership, clock);
            watcher = new JobWatcher(DomainSettings.watching(config), schedulers, reconciler, meters, clock);
            watcher.leadership = leadership;
            leadership.start();
        }

        /** Killed: the elector stops without handing the lease over. */
        void kill() {
            leadership.stop();
        }

        void close() {
            leadership.stop();
            watcher.onStop(null);
        }
    }

    /**
     * The shared scheduler, counting cancels per job; on request its n-th cancel waits (the leader's
     * round stuck in a call) until released, and later calls from that round's thread are counted.
     */
    static final class CountingScheduler extends FakeScheduler {
        final Map<String, AtomicInteger> cancelsByJob = new ConcurrentHashMap<>();
        final CountDownLatch blocked = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger callsAfterRelease = new AtomicInteger();
        private final AtomicInteger blockAt = new AtomicInteger(-1);
        private volatile Thread stuck;

        void blockAtCancel(int n) {
            blockAt.set(n);
        }

        int cancelsOf(String job) {
            AtomicInteger n = cancelsByJob.get(job);
            return n == null ? 0 : n.get();
        }

        private void calledFrom() {
            if (Thread.currentThread() == stuck && release.getCount() == 0) {
                callsAfterRelease.incrementAndGet();
            }
        }

        @Override
        public void cancel(String jobId, String user) {
            calledFrom();
            cancelsByJob.computeIfAbsent(jobId, j -> new AtomicInteger()).incrementAndGet();
            if (blockAt.decrementAndGet() == 0) {
                stuck = Thread.currentThread();
                blocked.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.cancel(jobId, user);
        }

        @Override
        public String submit(io.hpcspawner.spawn.port.JobSubmission request) {
            calledFrom();
            return super.submit(request);
        }

        @Override
        public List<io.hpcspawner.spawn.port.JobInfo> jobs(java.util.Set<String> jobIds, String namePrefix) {
            calledFrom();
            return super.jobs(jobIds, namePrefix);
        }

        @Override
        public Optional<io.hpcspawner.spawn.port.JobInfo> job(String jobId) {
            calledFrom();
            return super.job(jobId);
        }
    }
}
