package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.Transition;
import io.hpcspawner.spawn.model.ReadySignal;
import io.hpcspawner.spawn.model.WatchRules;
import io.hpcspawner.spawn.port.JobInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a watcher round does with each active record of a system, decided from one listing
 * snapshot and the clock, with no I/O: the reconciler carries the steps out. Only positive
 * evidence ends a server: the listing says its job ended, or its job has been missing for the
 * grace period and a look-up of that one job confirms the scheduler no longer knows it. A start
 * whose submit was cut off (the service died mid-submit) adopts its job by name whenever a
 * listing shows it, and fails only once no job has appeared by the submit deadline.
 */
public final class Reconciliation {

    /** A listing that leaves out at least this many tracked jobs, and at least half of them, is in doubt. */
    static final int MASS_VANISHING = 3;
    /** A start that signals readiness by callback has its output read after this long running too. */
    static final Duration OUTPUT_FALLBACK_AFTER = Duration.ofSeconds(15);
    /**
     * At most this many fallback reads of a start's output per system and round (the others wait
     * for a later round; {@link #readsOutput} spaces each start's reads, so every start gets its turn).
     */
    public static final int FALLBACK_OUTPUT_READS_PER_ROUND = 50;

    private Reconciliation() {
    }

    /** The next step for one record. */
    public sealed interface Step {
    }

    /** Nothing this round: the submit is under way, or the job may still appear or is missing within the grace. */
    public record Wait() implements Step {
    }

    /** The listing shows the cut-off submit's job by its name: record its id. */
    public record Adopt(JobInfo job) implements Step {
    }

    /** The lifecycle takes this observation as it is. */
    public record Observe(Observation observation) implements Step {
    }

    /** The start ran past its deadline: cancel its job, then the start timed out after {@code allowed}. */
    public record GiveUpStart(Duration allowed) implements Step {
    }

    /** The server is stopping and its job lives: send the cancel again (one cancel per stop still holds). */
    public record CancelAgain() implements Step {
    }

    /** The listing reports the job: pending, running or ended. */
    public record Follow(JobInfo job) implements Step {
    }

    /** The listing left the job out: note it missing (and whether the listing is in doubt), then see {@link #missing}. */
    public record Missing() implements Step {
    }

    /** The job has been missing past the grace: look it up on its own; only "no such job" ends the server. */
    public record LookUp() implements Step {
    }

    /**
     * A start without a job id whose submit no one is making (its submit was cut off): adopt its
     * job when the listing shows it; a stop waits one gone-grace for the job to appear, then ends
     * stopped; a start gives up after the submit deadline.
     */
    public static Step cutOff(ServerRecord r, List<JobInfo> listing, Instant now, WatchRules rules) {
        Optional<JobInfo> job = LostSubmits.byName(listing, r.jobName());
        if (job.isPresent()) {
            return new Adopt(job.get());
        }
        if (r.state() == ServerState.STOPPING) {
            Instant asked = lastEntered(r, ServerState.STOPPING).orElse(r.updatedAt());
            return asked.plus(rules.goneGrace()).isBefore(now) ? new Observe(new Observation.CutOffStopped()) : new Wait();
        }
        return r.createdAt().plus(rules.submitDeadline()).isBefore(now)
                ? new Observe(new Observation.CutOffGivenUp(rules.submitDeadline()))
                : new Wait();
    }

    /**
     * A record with a job id, and what the listing says of that job ({@code listed}, empty when
     * the listing left it out).
     */
    public static Step follow(ServerRecord r, Optional<JobInfo> listed, Instant now, WatchRules rules) {
        if (r.state().isStarting() && startDeadline(r, rules).isBefore(now)) {
            return new GiveUpStart(Duration.between(r.createdAt(), startDeadline(r, rules)));
        }
        if (listed.isEmpty()) {
            return new Missing();
        }
        JobInfo job = listed.get();
        if (r.state() == ServerState.STOPPING) {
            return switch (job.phase()) {
                case ENDED -> new Observe(new Observation.JobEnded(job.state(), job.exitCode().orElse(null), ""));
                case PENDING, RUNNING -> new CancelAgain();
            };
        }
        return new Follow(job);
    }

    /**
     * A record whose job the listing left out, after the lifecycle noted it missing: look the job
     * up once it has been missing for the grace period, else wait.
     */
    public static Step missing(ServerRecord r, Instant now, WatchRules rules) {
        return r.missingSince() != null && r.missingSince().plus(rules.goneGrace()).isBefore(now) ? new LookUp() : new Wait();
    }

    /**
     * Why a listing is in doubt: it leaves out many of the tracked jobs at once (a scheduler
     * answering from a fresh or partial state), so each is looked up on its own before anything ends.
     */
    public static Optional<String> doubt(Collection<String> tracked, Set<String> listed) {
        long vanished = tracked.stream().filter(id -> !listed.contains(id)).count();
        return vanished >= MASS_VANISHING && vanished * 2 >= tracked.size()
                ? Optional.of("the listing left out " + vanished + " of " + tracked.size() + " jobs at once")
                : Optional.empty();
    }

    /** The record's own deadline (its profile's queue timeout); the global start timeout for older records. */
    public static Instant startDeadline(ServerRecord r, WatchRules rules) {
        return r.startDeadline() != null ? r.startDeadline() : r.createdAt().plus(rules.startTimeout());
    }

    /**
     * Whether a starting server's output is read for its ready line this round: every round where
     * the system signals readiness in the output; where the callback should have come, only as a
     * fallback after {@link #OUTPUT_FALLBACK_AFTER}, and then again only once a quarter of the time
     * the server has been starting has passed since {@code lastRead} (at least the fast, at most the
     * slow interval). A late callback is most often a busy service: a wave of thousands of starts
     * read every round would add a scheduler call per start every 2 s to that load.
     *
     * @param lastRead when this start's output was last read for its ready line (empty: not yet)
     */
    public static boolean readsOutput(ServerRecord r, ReadySignal signal, Instant now, Optional<Instant> lastRead,
            WatchRules watch) {
        if (signal == ReadySignal.OUTPUT) {
            return true;
        }
        Instant started = firstEntered(r, ServerState.STARTING).orElse(now);
        if (!started.plus(OUTPUT_FALLBACK_AFTER).isBefore(now)) {
            return false;
        }
        if (lastRead.isEmpty()) {
            return true;
        }
        Duration quarter = Duration.between(started, now).dividedBy(4);
        Duration spacing = quarter.compareTo(watch.fastInterval()) < 0 ? watch.fastInterval()
                : quarter.compareTo(watch.slowInterval()) > 0 ? watch.slowInterval() : quarter;
        return !lastRead.get().plus(spacing).isAfter(now);
    }

    private static Optional<Instant> lastEntered(ServerRecord r, ServerState state) {
        return r.transitions().stream().filter(t -> t.state() == state).map(Transition::at).reduce((a, b) -> b);
    }

    private static Optional<Instant> firstEntered(ServerRecord r, ServerState state) {
        return r.transitions().stream().filter(t -> t.state() == state).map(Transition::at).findFirst();
    }
}
