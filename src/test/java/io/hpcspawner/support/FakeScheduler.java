package io.hpcspawner.support;

import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.UserInfo;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory scheduler for the service's own tests: jobs live in a map the test moves through
 * their states, and faults are switched on and off. It stands in for the scheduler port only;
 * the real slurmrestd is exercised by the end-to-end suite.
 */
@Singleton
public class FakeScheduler implements Scheduler {

    /** A job as the fake keeps it. */
    public static final class Job {
        public final String id;
        public final JobSubmission submission;
        public volatile JobPhase phase = JobPhase.PENDING;
        public volatile String state = "PENDING";
        public volatile String reason = "Priority";
        public volatile String node;
        public volatile Integer exitCode;
        public volatile boolean cancelled;
        public volatile java.time.Instant submittedAt = java.time.Instant.now();
        /** When the scheduler expects the job to start while pending ({@code null}: no estimate). */
        public volatile java.time.Instant expectedStart;

        Job(String id, JobSubmission submission) {
            this.id = id;
            this.submission = submission;
        }
    }

    public final Map<String, Job> jobs = new ConcurrentHashMap<>();
    public final AtomicInteger submits = new AtomicInteger();
    public final AtomicInteger queries = new AtomicInteger();
    private final ThreadLocal<int[]> queriesHere = ThreadLocal.withInitial(() -> new int[1]);
    public final AtomicInteger cancels = new AtomicInteger();
    public volatile boolean queriesFail;
    public volatile boolean submitFails;
    /** When set, the submit creates the job and then reports a lost answer (a timeout after acceptance). */
    public volatile boolean submitAnswerLost;
    /** When set, submits wait for it (to test a stop while the submit is in flight). */
    public volatile CountDownLatch submitGate;
    public volatile String output = "";
    /** When set, reads of the output throw it (e.g. a refusal of a link, or a timeout). */
    public volatile SchedulerException outputFailure;
    /** The users the output was read as, one entry per read. */
    public final java.util.Queue<String> outputReaders = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Jobs the listings leave out although they exist (a bad answer); look-ups of them still answer. */
    public final Set<String> listingOmits = ConcurrentHashMap.newKeySet();
    /** When set, look-ups of single jobs fail. */
    public volatile boolean lookUpsFail;
    public final AtomicInteger lookUps = new AtomicInteger();
    /** Failures the next submits throw, one each, before any job is made (e.g. connection refused). */
    public final java.util.Queue<SchedulerException> submitFailures = new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** When set, cancels throw it (and take nothing). */
    public volatile SchedulerException cancelFailure;
    /** When set, a cancel is taken but the job stays listed as running (Slurm still tearing it down). */
    public volatile boolean cancelTakesAWhile;
    /** When set, cancels wait for it (to test a second stop while a cancel is in flight). */
    public volatile CountDownLatch cancelGate;
    private final AtomicInteger ids = new AtomicInteger(1000);

    public void reset() {
        jobs.clear();
        submits.set(0);
        queries.set(0);
        cancels.set(0);
        queriesFail = false;
        submitFails = false;
        submitAnswerLost = false;
        submitGate = null;
        cancelFailure = null;
        cancelGate = null;
        cancelTakesAWhile = false;
        output = "";
        outputFailure = null;
        outputReaders.clear();
        listingOmits.clear();
        lookUpsFail = false;
        lookUps.set(0);
        submitFailures.clear();
    }

    /** Queries made by the calling thread (the background watcher's are not counted). */
    public int queriesOnThisThread() {
        return queriesHere.get()[0];
    }

    public Job only(String user) {
        List<Job> mine = jobs.values().stream().filter(j -> j.submission.user().equals(user)).toList();
        if (mine.size() != 1) {
            throw new AssertionError("expected one job of " + user + ", found " + mine.size());
        }
        return mine.get(0);
    }

    public void run(Job j, String node) {
        j.node = node;
        j.phase = JobPhase.RUNNING;
        j.state = "RUNNING";
        j.reason = null;
    }

    public void end(Job j, String state, int exitCode) {
        j.phase = JobPhase.ENDED;
        j.state = state;
        j.exitCode = exitCode;
    }

    /** Adds a job that no server record knows about. */
    public Job addForeign(String name, String user) {
        JobSubmission s = new JobSubmission(name, user, "#!/bin/bash", "debug", 1, Optional.empty(), 10,
                Optional.empty(), "/tmp", "/tmp/out", Map.of());
        Job j = new Job(Integer.toString(ids.incrementAndGet()), s);
        run(j, "nid001");
        jobs.put(j.id, j);
        return j;
    }

    @Override
    public String submit(JobSubmission request) {
        CountDownLatch gate = submitGate;
        if (gate != null) {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        submits.incrementAndGet();
        SchedulerException planned = submitFailures.poll();
        if (planned != null) {
            throw planned;
        }
        if (submitFails) {
            throw new SchedulerException("Invalid partition name specified (Slurm error 2010)", false);
        }
        Job j = new Job(Integer.toString(ids.incrementAndGet()), request);
        jobs.put(j.id, j);
        if (submitAnswerLost) {
            throw new SchedulerException("POST /job/submit failed: HttpTimeoutException", true);
        }
        return j.id;
    }

    @Override
    public List<JobInfo> jobs(Set<String> jobIds, String namePrefix) {
        queries.incrementAndGet();
        queriesHere.get()[0]++;
        if (queriesFail) {
            throw new SchedulerException("GET /jobs failed: ConnectException", true);
        }
        List<JobInfo> out = new ArrayList<>();
        for (Job j : jobs.values()) {
            if (!listingOmits.contains(j.id) && (jobIds.contains(j.id)
                    || (namePrefix != null && j.submission.name().startsWith(namePrefix)))) {
                out.add(info(j));
            }
        }
        return out;
    }

    @Override
    public Optional<JobInfo> job(String jobId) {
        lookUps.incrementAndGet();
        if (queriesFail || lookUpsFail) {
            throw new SchedulerException("GET /job/" + jobId + " failed: ConnectException", true);
        }
        return Optional.ofNullable(jobs.get(jobId)).map(FakeScheduler::info);
    }

    private static JobInfo info(Job j) {
        return new JobInfo(j.id, j.submission.name(), j.submission.user(), j.phase, j.state,
                Optional.ofNullable(j.reason), Optional.ofNullable(j.node), Optional.ofNullable(j.exitCode),
                Optional.ofNullable(j.submittedAt), Optional.ofNullable(j.expectedStart));
    }

    @Override
    public void cancel(String jobId, String user) {
        cancels.incrementAndGet();
        CountDownLatch gate = cancelGate;
        if (gate != null) {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        SchedulerException failure = cancelFailure;
        if (failure != null) {
            throw failure;
        }
        Job j = jobs.get(jobId);
        if (j != null && j.phase != JobPhase.ENDED) {
            j.cancelled = true;
            if (!cancelTakesAWhile) {
                end(j, "CANCELLED", 0);
            }
        }
    }

    @Override
    public String tail(String path, String user, int lines) {
        outputReaders.add(user);
        if (outputFailure != null) {
            throw outputFailure;
        }
        List<String> all = output.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    @Override
    public String head(String path, String user, int lines) {
        return String.join("\n", output.lines().limit(lines).toList());
    }

    /** What {@link #partitions()} answers; tests may replace it. */
    public volatile List<Partition> partitionList = List.of(new Partition("debug", "UP", 2, 1));
    /** What {@link #reservations()} answers; tests may replace it. */
    public volatile List<io.hpcspawner.spawn.port.Reservation> reservationList = List.of();

    @Override
    public List<Partition> partitions() {
        return partitionList;
    }

    @Override
    public List<io.hpcspawner.spawn.port.Reservation> reservations() {
        return reservationList;
    }

    /** Like slurmrestd: jobs run as whichever name the service gives, so the service vets names. */
    @Override
    public boolean actsAsNamedUser() {
        return true;
    }

    /**
     * System accounts have their usual uids; names starting with "ghost" do not exist; a look-up of
     * names starting with "unreachable" fails as the cluster's user directory being down; anyone
     * else is a user.
     */
    @Override
    public java.util.OptionalLong uidOf(String user) {
        if (user.startsWith("unreachable")) {
            throw new SchedulerException("looking up user " + user + " timed out (getent passwd)", true);
        }
        return switch (user) {
            case "root" -> java.util.OptionalLong.of(0);
            case "daemon" -> java.util.OptionalLong.of(1);
            case "slurm" -> java.util.OptionalLong.of(64030);
            case "nobody" -> java.util.OptionalLong.of(65534);
            default -> user.startsWith("ghost") ? java.util.OptionalLong.empty()
                    : java.util.OptionalLong.of(1000 + Math.floorMod(user.hashCode(), 50_000));
        };
    }

    @Override
    public UserInfo userInfo(String user) {
        return new UserInfo(user, Optional.empty(), List.of());
    }
}
