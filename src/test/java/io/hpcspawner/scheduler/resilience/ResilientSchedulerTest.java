package io.hpcspawner.scheduler.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hpcspawner.support.FakeTime;
import io.hpcspawner.spawn.port.Sleeper;
import io.hpcspawner.scheduler.JobInfo;
import io.hpcspawner.scheduler.JobPhase;
import io.hpcspawner.scheduler.JobSubmission;
import io.hpcspawner.scheduler.Partition;
import io.hpcspawner.scheduler.Scheduler;
import io.hpcspawner.scheduler.SchedulerException;
import io.hpcspawner.scheduler.UserInfo;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rules of {@link ResilientScheduler} that need no HTTP: see FirecrestFaultTest for the wire. */
class ResilientSchedulerTest {

    final FakeTime time = new FakeTime();
    final Scripted backend = new Scripted();

    /** A scheduler whose submits and listings answer from a script: a value, or a failure to throw. */
    static final class Scripted implements Scheduler {
        final Deque<Supplier<String>> submits = new ArrayDeque<>();
        final Deque<Supplier<List<JobInfo>>> listings = new ArrayDeque<>();
        final List<String> calls = new ArrayList<>();

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
        public java.util.Optional<JobInfo> job(String jobId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void cancel(String jobId, String user) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String tail(String path, String user, int lines) {
            throw new IllegalStateException("bug in the adapter");
        }

        @Override
        public String head(String path, String user, int lines) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Partition> partitions() {
            calls.add("partitions");
            throw new SchedulerException("FirecREST GET /status/daint/partitions timed out", true);
        }

        @Override
        public UserInfo userInfo(String user) {
            throw new UnsupportedOperationException();
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

    ResilientScheduler scheduler(Sleeper sleeper) {
        return new ResilientScheduler("daint", "FirecREST", backend, ResiliencePolicy.defaults(), null, time, sleeper);
    }

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

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
    void aBugInTheAdapterIsNotRetried() {
        ResilientScheduler s = scheduler(time);

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
        Backoff exact = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(4), 0.5, () -> 0);
        assertThat(List.of(exact.before(1), exact.before(2), exact.before(5), exact.before(6), exact.before(60)))
                .containsExactly(Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(4),
                        Duration.ofSeconds(4), Duration.ofSeconds(4));
        Backoff mostJitter = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(4), 0.5, () -> 0.999999);
        assertThat(mostJitter.before(2)).isBetween(Duration.ofMillis(250), Duration.ofMillis(251));
    }
}
