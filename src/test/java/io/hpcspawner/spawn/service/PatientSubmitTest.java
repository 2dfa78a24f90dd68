package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hpcspawner.scheduler.ForwardingScheduler;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.support.FakeTime;
import io.hpcspawner.support.FakeScheduler;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 5: a start waits out a cluster that cannot be reached, for a bounded time, and
 * never sends a second submit after a failure that may have made the job. Fake time: the waits
 * move a clock and are asserted.
 */
class PatientSubmitTest {

    static final Duration RETRY_FOR = Duration.ofMinutes(2);
    static final JobSubmission JOB = new JobSubmission("hpcsp-abc", "alice", "#!/bin/bash", "debug", 1,
            Optional.empty(), 10, Optional.empty(), "/tmp", "/tmp/out", Map.of());

    final FakeTime time = new FakeTime();
    final FakeScheduler slurm = new FakeScheduler();
    final List<String> notes = new ArrayList<>();
    final AtomicBoolean withdrawn = new AtomicBoolean();
    final PatientSubmit patient = new PatientSubmit(time, time, RETRY_FOR, Duration.ofSeconds(2));

    final PatientSubmit.Progress progress = new PatientSubmit.Progress() {
        @Override
        public void waiting(String text) {
            notes.add(text);
        }

        @Override
        public boolean withdrawn() {
            return withdrawn.get();
        }
    };

    static SchedulerException refused() {
        return new SchedulerException("POST /slurm/v0.0.38/job/submit failed: ConnectException", true,
                new ConnectException("Connection refused"));
    }

    static SchedulerException status(int code, Duration retryAfter) {
        return new SchedulerException("FirecREST POST /compute/daint/jobs: HTTP " + code, true, null, retryAfter) {
            @Override
            protected int httpStatus() {
                return code;
            }
        };
    }

    String submit() throws Exception {
        return patient.submit(slurm, JOB, "testsys", time.instant(), progress);
    }

    @Test
    void aRefusedConnectionIsTriedAgainUntilTheJobIsMadeOnce() throws Exception {
        slurm.submitFailures.add(refused());
        slurm.submitFailures.add(refused());

        String id = submit();

        assertThat(slurm.jobs).containsOnlyKeys(id);
        assertThat(slurm.submits.get()).isEqualTo(3);
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(notes).hasSize(2);
        assertThat(notes.get(0)).startsWith("The cluster testsys cannot be reached (POST /slurm/v0.0.38/job/submit failed:"
                + " ConnectException); trying again in 2 s, until 10:02:00 UTC");
        assertThat(notes.get(1)).contains("trying again in 4 s");
    }

    @Test
    void a429IsTriedAgainAfterItsRetryAfter() throws Exception {
        slurm.submitFailures.add(status(429, Duration.ofSeconds(7)));

        submit();

        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(7));
        assertThat(slurm.submits.get()).isEqualTo(2);
        assertThat(slurm.jobs).hasSize(1);
    }

    @Test
    void afterTheRetryTimeTheStartFailsSayingTheClusterCouldNotBeReached() {
        for (int i = 0; i < 100; i++) {
            slurm.submitFailures.add(refused());
        }

        PatientSubmit.Unreachable e = catchThrowableOfType(PatientSubmit.Unreachable.class, this::submit);

        assertThat(e).hasMessageStartingWith("The cluster testsys could not be reached (")
                .hasMessageContaining("since 10:00:00 UTC").hasMessageContaining("No job was submitted")
                .hasMessageNotContaining("did not accept");
        assertThat(time.instant()).isBeforeOrEqualTo(Instant.parse("2026-01-15T10:02:00Z"));
        // waits 2, 4, 8, 16, 30, 30, 30 s (the full two minutes); one more would pass them
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
                Duration.ofSeconds(16), Duration.ofSeconds(30), Duration.ofSeconds(30), Duration.ofSeconds(30));
        assertThat(slurm.submits.get()).isEqualTo(8);
        assertThat(e).hasMessageContaining("tried 8 times");
        assertThat(slurm.jobs).isEmpty();
    }

    @Test
    void aFailureAfterWhichTheJobMayExistIsNeverSubmittedAgain() {
        // a timeout once the request went out: the cluster may have made the job
        slurm.submitFailures.add(new SchedulerException("POST /slurm/v0.0.38/job/submit failed: HttpTimeoutException", true,
                new java.net.http.HttpTimeoutException("request timed out")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, this::submit);

        assertThat(e).hasMessageContaining("HttpTimeoutException");
        assertThat(slurm.submits.get()).isEqualTo(1);
        assertThat(time.sleeps()).isEmpty();
        assertThat(notes).isEmpty();
    }

    @Test
    void aRefusalIsFinalAndNotTriedAgain() {
        slurm.submitFailures.add(new SchedulerException("Invalid partition name specified", false));

        catchThrowableOfType(SchedulerException.class, this::submit);

        assertThat(slurm.submits.get()).isEqualTo(1);
    }

    @Test
    void after503TheJobIsLookedUpFirstAndAdoptedWhenItExists() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        // the 503 came from a gateway after FirecREST made the job after all
        slurm.submitFailures.add(status(503, null));
        ForwardingScheduler scheduler = new ForwardingScheduler(slurm) {
            @Override
            public String submit(JobSubmission request) {
                try {
                    return super.submit(request);
                } catch (SchedulerException e) {
                    slurm.addForeign(request.name(), request.user());
                    throw e;
                }
            }

            @Override
            public List<JobInfo> jobs(Set<String> ids, String name) {
                lookups.incrementAndGet();
                return super.jobs(ids, name);
            }
        };

        String id = patient.submit(scheduler, JOB, "testsys", time.instant(), progress);

        assertThat(slurm.jobs).containsOnlyKeys(id);
        assertThat(slurm.submits.get()).as("one submit: the job was found, not made twice").isEqualTo(1);
        assertThat(lookups.get()).isEqualTo(1);
    }

    @Test
    void whileTheLookUpFailsNothingIsSubmittedAgain() throws Exception {
        slurm.submitFailures.add(status(503, null));
        slurm.queriesFail = true;
        ForwardingScheduler scheduler = new ForwardingScheduler(slurm) {
            @Override
            public List<JobInfo> jobs(Set<String> ids, String name) {
                if (slurm.queries.get() >= 2) {
                    slurm.queriesFail = false;
                }
                return super.jobs(ids, name);
            }
        };

        patient.submit(scheduler, JOB, "testsys", time.instant(), progress);

        assertThat(slurm.queries.get()).as("looked up until a listing worked").isEqualTo(3);
        assertThat(slurm.submits.get()).isEqualTo(2);
        assertThat(slurm.jobs).hasSize(1);
    }

    @Test
    void aStopWhileWaitingSubmitsNothingMore() {
        slurm.submitFailures.add(refused());
        withdrawn.set(true);

        catchThrowableOfType(PatientSubmit.Withdrawn.class, this::submit);

        assertThat(slurm.submits.get()).isEqualTo(1);
        assertThat(slurm.jobs).isEmpty();
    }
}
