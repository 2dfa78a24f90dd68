package io.hpcspawner.scheduler.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hpcspawner.scheduler.ForwardingScheduler;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.Sleeper;
import io.hpcspawner.support.FakeTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link GuardedScheduler} that need no HTTP (FirecrestFaultTest has the wire): the
 * cases of the former ResilientSchedulerTest and CircuitBreakerTest, against the SmallRye guards.
 * {@code @QuarkusTest} because SmallRye's guards are made through CDI. Waits move a fake clock;
 * only the breaker's cool-down (SmallRye's) takes real time, so the breaker cases use a short one.
 */
@QuarkusTest
class GuardedSchedulerTest {

    final FakeTime time = new FakeTime();
    final Scripted backend = new Scripted();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /**
     * A scheduler whose submits, listings and partitions answer from a script: a value, or a failure to throw.
     * Its tail fails as a bug in the adapter would; any other call is unexpected and fails.
     */
    static final class Scripted extends ForwardingScheduler {
        final Deque<Supplier<String>> submits = new ArrayDeque<>();
        final Deque<Supplier<List<JobInfo>>> listings = new ArrayDeque<>();
        final Deque<Supplier<List<Partition>>> partitions = new ArrayDeque<>();
        final List<String> calls = new ArrayList<>();

        Scripted() {
            super(ForwardingScheduler.expectingNoCall());
        }

        @Override
        public String submit(JobSubmission request) {
            calls.add("submit");
            return submits.pop().get();
        }

        @Override
        public List<JobInfo> jobs(Set<String> jobIds, String namePrefix) {
            calls.add("jobs " + namePrefix);
            return listings.pop().get();
        }

        @Override
        public String tail(String path, String user, int lines) {
            throw new IllegalStateException("bug in the adapter");
        }

        @Override
        public synchronized List<Partition> partitions() {
            calls.add("partitions");
            if (partitions.isEmpty()) {
                throw new SchedulerException("FirecREST GET /status/daint/partitions timed out", true);
            }
            return partitions.pop().get();
        }
    }

    static Supplier<String> refused() {
        return () -> {
            throw new SchedulerException("FirecREST POST /compute/daint/jobs failed: ConnectException", true,
                    new ConnectException("Connection refused"));
        };
    }

    static JobSubmission submission() {
        return new JobSubmission("hpcspawner-alice-default", "alice", "#!/bin/bash\n", "normal", 1, Optional.empty(), 60,
                Optional.empty(), "/users/alice", "/users/alice/out.log", Map.of());
    }

    GuardedScheduler scheduler(Sleeper sleeper) {
        return new GuardedScheduler(backend, new SystemGuards("daint", "FirecREST", ResiliencePolicy.defaults(), meters,
                time, sleeper, false));
    }

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    // ------------------------------------------------------------ former ResilientSchedulerTest

    @Test
    void aSubmitThatNeverLeftIsSentAgainWithoutALookUp() {
        backend.submits.add(refused());
        backend.submits.add(() -> "4242");

        assertThat(scheduler(time).submit(submission())).isEqualTo("4242");

        assertThat(backend.calls).containsExactly("submit", "submit");
        assertThat(time.sleeps()).hasSize(1);
    }

    @Test
    void aSubmitThatNeverLeftGivesUpAfterTheAttempts() {
        backend.submits.add(refused());
        backend.submits.add(refused());
        backend.submits.add(refused());

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler(time).submit(submission()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("ConnectException")
                .hasMessageContaining("gave up after 3 attempts");
        assertThat(backend.calls).containsExactly("submit", "submit", "submit");
    }

    @Test
    void anInterruptedWaitEndsTheCallAndKeepsTheInterrupt() {
        Sleeper interrupted = d -> {
            throw new InterruptedException();
        };

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler(interrupted).partitions());

        assertThat(e).hasMessageContaining("Interrupted while waiting to call FirecREST for system daint again");
        assertThat(Thread.currentThread().isInterrupted()).isTrue();
        assertThat(backend.calls).containsExactly("partitions");
    }

    @Test
    void everyAttemptIsTimedUnderTheCallAndHowItEnded() {
        GuardedScheduler s = scheduler(time);
        backend.listings.add(() -> {
            throw new SchedulerException("FirecREST GET /compute/daint/jobs failed: ConnectException", true,
                    new ConnectException("Connection refused"));
        });
        backend.listings.add(List::of);

        assertThat(s.jobs(Set.of(), "hpcsp-")).isEmpty();
        catchThrowableOfType(IllegalStateException.class, () -> s.tail("/x", "alice", 5));

        assertThat(attempts("jobs", "unreachable")).isEqualTo(1);
        assertThat(attempts("jobs", "ok")).isEqualTo(1);
        assertThat(attempts("tail", "error")).isEqualTo(1);
        assertThat(meters.find("hpcspawner.scheduler.calls").tag("system", "daint").timers())
                .filteredOn(t -> t.count() > 0).hasSize(3);
        assertThat(attempts("submit", "ok")).isZero(); // there from the start
    }

    private long attempts(String call, String status) {
        var timer = meters.find("hpcspawner.scheduler.calls").tags("system", "daint", "call", call, "status", status)
                .timer();
        return timer == null ? 0 : timer.count();
    }

    @Test
    void aBugInTheAdapterIsNotRetried() {
        GuardedScheduler s = scheduler(time);

        IllegalStateException e = catchThrowableOfType(IllegalStateException.class, () -> s.tail("/x", "alice", 5));

        assertThat(e).hasMessage("bug in the adapter");
        assertThat(time.sleeps()).isEmpty();
    }

    @Test
    void theLookUpAfterALostSubmitMatchesTheExactName() {
        backend.submits.add(() -> {
            throw new SchedulerException("FirecREST POST /compute/daint/jobs answered HTTP 500", true) {
                @Override
                public boolean answered() {
                    return true; // the API finished with the request: the listing is conclusive
                }
            };
        });
        // The listing is by prefix: a job whose name only starts with the name is another start's.
        backend.listings.add(() -> List.of(new JobInfo("7", "hpcspawner-alice-default-2", "alice", JobPhase.RUNNING,
                "RUNNING", Optional.empty(), Optional.of("nid0001"), Optional.empty())));
        backend.submits.add(() -> "4242");

        assertThat(scheduler(time).submit(submission())).isEqualTo("4242");
        assertThat(backend.calls).containsExactly("submit", "jobs hpcspawner-alice-default", "submit");
    }

    /**
     * Two jobs share a name only when a submit went out twice (e.g. the launcher's own retry after this guard
     * gave up); the one alive is the start's, whatever the listing's order (the domain's LostSubmits rule).
     */
    @Test
    void theLookUpAfterALostSubmitAdoptsTheJobAliveOverAnEndedOneOfTheSameName() {
        backend.submits.add(() -> {
            throw new SchedulerException("FirecREST POST /compute/daint/jobs timed out", true);
        });
        backend.listings.add(() -> List.of(
                new JobInfo("7", "hpcspawner-alice-default", "alice", JobPhase.ENDED, "CANCELLED", Optional.empty(),
                        Optional.empty(), Optional.of(0)),
                new JobInfo("8", "hpcspawner-alice-default", "alice", JobPhase.PENDING, "PENDING",
                        Optional.of("Priority"), Optional.empty(), Optional.empty())));

        assertThat(scheduler(time).submit(submission())).isEqualTo("8");
        assertThat(backend.calls).containsExactly("submit", "jobs hpcspawner-alice-default");
    }

    @Test
    void aSubmitWhoseOutcomeIsOpenIsNotResentWhenTheListingIsEmpty() {
        backend.submits.add(() -> {
            throw new SchedulerException("FirecREST POST /compute/daint/jobs timed out", true);
        });
        backend.listings.add(List::of);

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler(time).submit(submission()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("timed out; no job named hpcspawner-alice-default is listed yet");
        assertThat(backend.calls).containsExactly("submit", "jobs hpcspawner-alice-default");
    }

    @Test
    void aBadPolicyNamesItsKey() {
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> new ResiliencePolicy.Retry(0,
                Duration.ofMillis(250), Duration.ofSeconds(4), 0.5, Duration.ofSeconds(15), Duration.ofSeconds(30),
                Duration.ofSeconds(2)))).hasMessage("retry.max-attempts must be at least 1");
        assertThat(catchThrowableOfType(IllegalArgumentException.class,
                () -> new ResiliencePolicy.Breaker(5, Duration.ZERO))).hasMessage("breaker.open-for must be longer than zero");
        assertThat(catchThrowableOfType(IllegalArgumentException.class,
                () -> new ResiliencePolicy.Submits(4, Duration.ofSeconds(-1))))
                .hasMessage("submit.queue-wait must not be negative");
    }

    @Test
    void backoffDoublesUpToItsCeilingWithJitterBelowIt() {
        ResiliencePolicy.Retry retry = ResiliencePolicy.Retry.defaults(); // 250 ms to 4 s, jitter 0.5
        PolicyBackoff exact = new PolicyBackoff(retry, () -> 0);
        assertThat(List.of(exact.before(1), exact.before(2), exact.before(5), exact.before(6), exact.before(60)))
                .containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(4),
                        Duration.ofSeconds(4), Duration.ofSeconds(4));
        PolicyBackoff mostJitter = new PolicyBackoff(retry, () -> 0.999999);
        assertThat(mostJitter.before(2)).isBetween(Duration.ofMillis(250), Duration.ofMillis(251));
    }

    // ------------------------------------------------------------ former CircuitBreakerTest

    /** One attempt per call (so calls are attempts), three failures open it, a cool-down short enough to wait out. */
    static final Duration OPEN_FOR = Duration.ofSeconds(1);

    GuardedScheduler breakerScheduler() {
        ResiliencePolicy p = ResiliencePolicy.defaults();
        ResiliencePolicy policy = new ResiliencePolicy(new ResiliencePolicy.Retry(1, Duration.ofMillis(250),
                Duration.ofSeconds(4), 0.5, Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(2)),
                new ResiliencePolicy.Breaker(3, OPEN_FOR), p.submits());
        return new GuardedScheduler(backend, new SystemGuards("daint", "FirecREST", policy, meters, time, time, false));
    }

    static List<Partition> none() {
        return List.of();
    }

    /** A call that fails as the scripted backend's default: "timed out". */
    static SchedulerException failing(GuardedScheduler s) {
        return catchThrowableOfType(SchedulerException.class, s::partitions);
    }

    void coolDown() throws InterruptedException {
        time.advance(OPEN_FOR);
        Thread.sleep(OPEN_FOR.toMillis() + 100);
    }

    double breakerGauge() {
        return meters.get("hpcspawner.scheduler.breaker.open").tag("system", "daint").gauge().value();
    }

    @Test
    void opensAfterTheThresholdOfConsecutiveFailures() {
        GuardedScheduler s = breakerScheduler();
        failing(s);
        failing(s);
        assertThat(breakerGauge()).isZero();
        failing(s); // the third failure; it was let through
        assertThat(backend.calls).hasSize(3);
        assertThat(breakerGauge()).isEqualTo(1);

        SchedulerException refused = failing(s);

        assertThat(backend.calls).as("refused without a call").hasSize(3);
        assertThat(refused).isInstanceOf(CallRefused.class);
        assertThat(refused.isTransient()).isTrue();
        assertThat(((CallRefused) refused).reason()).isEqualTo("breaker_open");
        assertThat(refused).hasMessageContaining("FirecREST for system daint is unreachable since 2026-01-15T10:00:00Z")
                .hasMessageContaining("next try at 2026-01-15T10:00:01Z").hasMessageContaining("timed out");
        assertThat(refused.retryAfter()).contains(OPEN_FOR);
        assertThat(catchThrowableOfType(SchedulerException.class, () -> s.submit(submission())))
                .as("a submit is refused before it takes a slot").isInstanceOf(CallRefused.class);
    }

    @Test
    void aSuccessResetsTheCount() {
        GuardedScheduler s = breakerScheduler();
        backend.partitions.add(() -> {
            throw new SchedulerException("timed out", true);
        });
        backend.partitions.add(() -> {
            throw new SchedulerException("timed out", true);
        });
        backend.partitions.add(GuardedSchedulerTest::none);
        failing(s);
        failing(s);
        s.partitions();
        failing(s);
        failing(s);

        assertThat(breakerGauge()).isZero();
        failing(s);
        assertThat(backend.calls).as("every call let through").hasSize(6);
    }

    @Test
    void afterTheCoolDownOneProbeGoesThroughAndItsSuccessCloses() throws Exception {
        GuardedScheduler s = breakerScheduler();
        failing(s);
        failing(s);
        failing(s);
        coolDown();
        CountDownLatch probing = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        backend.partitions.add(() -> {
            probing.countDown();
            try {
                answer.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return none();
        });

        CompletableFuture<List<Partition>> probe = CompletableFuture.supplyAsync(s::partitions);
        assertThat(probing.await(10, TimeUnit.SECONDS)).as("the probe").isTrue();
        SchedulerException second = failing(s);
        assertThat(second).as("only one probe at a time").isInstanceOf(CallRefused.class)
                .hasMessageContaining("a test call is under way");
        answer.countDown();
        assertThat(probe.get(10, TimeUnit.SECONDS)).isEmpty();

        assertThat(breakerGauge()).isZero();
        backend.partitions.add(GuardedSchedulerTest::none);
        backend.partitions.add(GuardedSchedulerTest::none);
        assertThat(s.partitions()).isEmpty();
        assertThat(s.partitions()).isEmpty();
    }

    @Test
    void aFailedProbeOpensAgainForAFullCoolDown() throws Exception {
        GuardedScheduler s = breakerScheduler();
        failing(s);
        failing(s);
        failing(s);
        coolDown();
        assertThat(failing(s)).as("the probe, failed").isNotInstanceOf(CallRefused.class);
        assertThat(backend.calls).hasSize(4);

        assertThat(failing(s)).isInstanceOf(CallRefused.class);
        assertThat(backend.calls).hasSize(4);
        coolDown();
        backend.partitions.add(GuardedSchedulerTest::none);
        assertThat(s.partitions()).isEmpty();
    }

    @Test
    void anInterruptedProbeLetsTheNextCallThrough() throws Exception {
        GuardedScheduler s = breakerScheduler();
        failing(s);
        failing(s);
        failing(s);
        coolDown();
        backend.partitions.add(() -> {
            throw new SchedulerException("interrupted", true, new InterruptedException());
        });
        failing(s); // the probe, abandoned: it tells nothing about the API

        backend.partitions.add(GuardedSchedulerTest::none);
        assertThat(s.partitions()).isEmpty();
    }

    // ------------------------------------------------------------ Retry-After for the whole system

    @Test
    void aRetryAfterHoldsBackEveryCallOfTheSystemAndFailsAtOnceBeyondTheCallsTime() {
        GuardedScheduler s = scheduler(time);
        backend.partitions.add(() -> {
            throw new SchedulerException("FirecREST answered HTTP 429", true, null, Duration.ofSeconds(25));
        });

        SchedulerException first = failing(s);
        assertThat(first).hasMessageContaining("retry after 2026-01-15T10:00:25Z");
        SchedulerException held = catchThrowableOfType(SchedulerException.class,
                () -> s.jobs(Set.of("1"), "hpcspawner-"));

        assertThat(held).isInstanceOf(CallRefused.class)
                .hasMessageContaining("FirecREST for system daint asked to wait: retry after 2026-01-15T10:00:25Z");
        assertThat(((CallRefused) held).reason()).isEqualTo("rate_limited");
        assertThat(backend.calls).containsExactly("partitions");
        assertThat(meters.counter("hpcspawner.scheduler.refused", "system", "daint", "call", "jobs", "reason",
                "rate_limited").count()).isEqualTo(1);
    }
}
