package io.hpcspawner.spawn;

import io.hpcspawner.spawn.model.ReadySignal;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.spawn.model.WatchRules;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.rules.LostSubmits;
import io.hpcspawner.spawn.rules.Messages;
import io.hpcspawner.spawn.rules.Observation;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Brings the records of one system in line with one batched answer of its scheduler. The rules:
 * only positive evidence ends a server: the listing says its job ended, or its job went missing
 * from the listings for the grace period and a look-up of that one job confirms the scheduler no
 * longer knows it. A failed query, a listing without a job list, and a look-up in doubt only mark
 * the records "unknown since"; many jobs vanishing from one listing at once mark them unknown too.
 * A start that fails shows the user the tail of the job's output. A start whose submit was cut
 * off (the service died mid-submit) adopts its job by name whenever a listing shows it, and fails
 * only when no job has appeared by {@code watch.submit-deadline}. Jobs without a server go to the
 * {@link OrphanSweep}.
 */
@ApplicationScoped
public class JobTracker {

    private static final Logger LOG = Logger.getLogger(JobTracker.class);
    private static final Duration OUTPUT_FALLBACK_AFTER = Duration.ofSeconds(15);
    /** A listing that leaves out at least this many tracked jobs, and at least half of them, is in doubt. */
    private static final int MASS_VANISHING = 3;

    private final WatchRules watch;
    private final Systems systems;
    private final SchedulerRegistry schedulers;
    private final ServerLifecycle lifecycle;
    private final SpawnService spawns;
    private final JobNames names;
    private final OrphanSweep orphans;
    private final SubmitsInFlight inFlight;
    private final Clock clock;

    public JobTracker(WatchRules watch, Systems systems, SchedulerRegistry schedulers, ServerLifecycle lifecycle, SpawnService spawns,
            JobNames names, OrphanSweep orphans, SubmitsInFlight inFlight, Clock clock) {
        this.watch = watch;
        this.systems = systems;
        this.schedulers = schedulers;
        this.lifecycle = lifecycle;
        this.spawns = spawns;
        this.names = names;
        this.orphans = orphans;
        this.inFlight = inFlight;
        this.clock = clock;
    }

    /** The active records of a system. */
    public List<ServerRecord> activeRecords(String system) {
        return lifecycle.all().stream().filter(r -> r.system().equals(system) && r.state().isActive()).toList();
    }

    /**
     * One round for one system: a single scheduler query, look-ups of jobs missing from it, then
     * each record updated and the orphans swept.
     *
     * @return false when the scheduler did not answer
     */
    public boolean track(String system) {
        Scheduler scheduler = schedulers.forSystem(system);
        List<ServerRecord> records = activeRecords(system);
        Set<String> ids = records.stream().map(ServerRecord::jobId).filter(java.util.Objects::nonNull)
                .collect(Collectors.toSet());
        List<JobInfo> jobs;
        Instant asked = clock.instant();
        try {
            jobs = scheduler.jobs(ids, names.sharedPrefix());
        } catch (SchedulerException e) {
            records.stream().filter(r -> r.jobId() != null)
                    .forEach(r -> lifecycle.unknown(r.key(), r.id(), e.getMessage()));
            return false;
        }
        Map<String, JobInfo> byId = new HashMap<>();
        for (JobInfo j : jobs) {
            byId.put(j.id(), j);
        }
        long vanished = ids.stream().filter(id -> !byId.containsKey(id)).count();
        Optional<String> doubt = vanished >= MASS_VANISHING && vanished * 2 >= ids.size()
                ? Optional.of("the listing left out " + vanished + " of " + ids.size() + " jobs at once")
                : Optional.empty();
        doubt.ifPresent(d -> LOG.warnf("System %s: %s; each is looked up on its own before anything ends", system, d));
        Round round = new Round(scheduler, byId, doubt, new AtomicInteger(watch.maxLookUpsPerRound()));
        for (ServerRecord r : records) {
            try {
                follow(round, adoptIfCutOff(r, jobs));
            } catch (SchedulerException e) {
                lifecycle.unknown(r.key(), r.id(), e.getMessage());
            }
        }
        // A record that changed after the listing was asked for (e.g. stopped and cancelled just now)
        // is newer than what the listing says about its job: leave that job to the record's own rules.
        Set<String> owned = lifecycle.all().stream()
                .filter(r -> r.state().isActive() || !r.updatedAt().isBefore(asked))
                .map(ServerRecord::jobName).collect(Collectors.toSet());
        // A job whose cancel the scheduler took is ending: cancelling it again would be a second cancel.
        jobs.stream().map(JobInfo::name).filter(spawns::cancelTaken).forEach(owned::add);
        orphans.sweep(system, scheduler, jobs, owned);
        return true;
    }

    /** What one round knows: the listing by job id, whether it is in doubt, and the look-ups left. */
    private record Round(Scheduler scheduler, Map<String, JobInfo> byId, Optional<String> doubt, AtomicInteger lookUpsLeft) {
    }

    /**
     * A start without a job id whose submit this process is not making was cut off: adopt its job
     * as soon as a listing shows it by name; give up only after the submit deadline.
     */
    private ServerRecord adoptIfCutOff(ServerRecord seen, List<JobInfo> listing) {
        if (seen.jobId() != null || seen.state().isTerminal() || inFlight.contains(seen.id())) {
            return seen;
        }
        // The launcher records the job id before it leaves the in-flight set: read the record again.
        ServerRecord r = lifecycle.find(seen.key()).filter(x -> x.id().equals(seen.id())).orElse(seen);
        if (r.jobId() != null || r.state().isTerminal()) {
            return r;
        }
        JobInfo job = LostSubmits.byName(listing, r.jobName()).orElse(null);
        if (job != null) {
            LOG.infof("Server %s: adopting job %s found by its name %s (its submit was cut off)", r.key(), job.id(),
                    r.jobName());
            return lifecycle.submitted(r.key(), r.id(), job.id()).orElse(r);
        }
        if (r.state() == ServerState.STOPPING) {
            // Its job may still appear (the scheduler may have been creating it): wait one gone-grace
            // for it, so it is adopted and cancelled as this stop's job; after that it ends stopped.
            Instant asked = r.transitions().stream().filter(t -> t.state() == ServerState.STOPPING)
                    .map(Transition::at).reduce((a, b) -> b).orElse(r.updatedAt());
            if (asked.plus(watch.goneGrace()).isBefore(clock.instant())) {
                return lifecycle.observe(r.key(), r.id(), new Observation.CutOffStopped()).orElse(r);
            }
            return r;
        }
        if (r.createdAt().plus(watch.submitDeadline()).isBefore(clock.instant())) {
            return lifecycle.observe(r.key(), r.id(), new Observation.CutOffGivenUp(watch.submitDeadline()))
                    .orElse(r);
        }
        return r; // its job may still appear: the scheduler may have been creating it when the service died
    }

    private void follow(Round round, ServerRecord r) {
        if (r.jobId() == null || r.state().isTerminal()) {
            return; // the submit is in flight; the launcher records its outcome
        }
        Scheduler scheduler = round.scheduler();
        if (r.state().isStarting() && startDeadline(r).isBefore(clock.instant())) {
            giveUp(scheduler, r);
            return;
        }
        JobInfo job = round.byId().get(r.jobId());
        if (job == null) {
            job = missing(round, r).orElse(null);
            if (job == null) {
                return;
            }
        }
        follow(scheduler, r, job);
    }

    private void follow(Scheduler scheduler, ServerRecord r, JobInfo job) {
        if (r.state() == ServerState.STOPPING) {
            if (job.phase() == JobPhase.ENDED) {
                lifecycle.observe(r.key(), r.id(),
                        new Observation.JobEnded(job.state(), job.exitCode().orElse(null), ""));
            } else {
                spawns.cancel(r);
            }
            return;
        }
        switch (job.phase()) {
            case PENDING -> lifecycle.pending(r.key(), r.id(), job.reason());
            case RUNNING -> {
                ServerRecord now = lifecycle.jobRunning(r.key(), r.id(), job.node()).orElse(r);
                if (now.state() == ServerState.STARTING && readsOutput(now)) {
                    lookForReadyLine(scheduler, now);
                }
            }
            case ENDED -> ended(scheduler, r, job.state(), job.exitCode().orElse(null));
        }
    }

    /**
     * The job is not in the listing. Within the grace period nothing happens (a job may be missing
     * just after its submit); after it, the job is looked up on its own, and only the scheduler's
     * "no such job" ends the server. Returns the job when the look-up found it.
     */
    private Optional<JobInfo> missing(Round round, ServerRecord r) {
        ServerRecord m = lifecycle.missing(r.key(), r.id()).orElse(r);
        round.doubt().ifPresent(d -> lifecycle.unknown(r.key(), r.id(), d));
        if (m.missingSince() == null || !m.missingSince().plus(watch.goneGrace()).isBefore(clock.instant())
                || round.lookUpsLeft().getAndDecrement() <= 0) {
            return Optional.empty();
        }
        Optional<JobInfo> job = round.scheduler().job(r.jobId());
        if (job.isPresent()) {
            return job;
        }
        LOG.infof("Server %s: job %s is unknown to the scheduler (missing from its listings since %s)", r.key(),
                r.jobId(), m.missingSince());
        lifecycle.observe(r.key(), r.id(), new Observation.JobGone(outputNote(round.scheduler(), r)));
        return Optional.empty();
    }

    private void ended(Scheduler scheduler, ServerRecord r, String how, Integer exitCode) {
        lifecycle.observe(r.key(), r.id(), new Observation.JobEnded(how, exitCode, outputNote(scheduler, r)));
    }

    /**
     * The last lines of a start's output, shown when it fails: read only for a start that is not
     * running or stopping (their end is no failure). A refusal says why, never what is in the file.
     */
    private String outputNote(Scheduler scheduler, ServerRecord r) {
        if (!r.state().isStarting()) {
            return "";
        }
        try {
            return Messages.outputTail(r.outputPath(),
                    scheduler.tail(r.outputPath(), r.unixUser(), watch.failureOutputLines()));
        } catch (SchedulerException e) { // e.g. the file is a link
            return e.isTransient() ? "" : Messages.outputHidden(e.getMessage());
        }
    }

    /** The record's own deadline (its profile's queue-timeout); the global start timeout for older records. */
    private Instant startDeadline(ServerRecord r) {
        return r.startDeadline() != null ? r.startDeadline() : r.createdAt().plus(watch.startTimeout());
    }

    private void giveUp(Scheduler scheduler, ServerRecord r) {
        try {
            scheduler.cancel(r.jobId(), r.unixUser());
        } catch (SchedulerException e) {
            LOG.warnf("Server %s: cancelling job %s after the start timeout failed: %s", r.key(), r.jobId(),
                    e.getMessage());
            return; // try again next round; the record stays active so the job is not forgotten
        }
        lifecycle.observe(r.key(), r.id(),
                new Observation.StartTimedOut(Duration.between(r.createdAt(), startDeadline(r))));
    }

    private boolean readsOutput(ServerRecord r) {
        SystemSettings system = systems.get(r.system());
        if (system.readySignal() == ReadySignal.OUTPUT) {
            return true;
        }
        Instant started = r.transitions().stream().filter(t -> t.state() == ServerState.STARTING)
                .map(Transition::at).findFirst().orElse(clock.instant());
        return started.plus(OUTPUT_FALLBACK_AFTER).isBefore(clock.instant());
    }

    /** A ready line counts only with this start's proof, for the job's own node and a port in range. */
    private void lookForReadyLine(Scheduler scheduler, ServerRecord r) {
        Optional<ReadyLine> line = ReadyLine.find(outputTail(scheduler, r, 200), r.id(), r.secretHash());
        line.ifPresent(l -> {
            try {
                spawns.readyAt(r, l.host(), l.port());
            } catch (InvalidRequestException | SchedulerException e) {
                LOG.warnf("Server %s: ready line in the job's output not accepted: %s", r.key(), e.getMessage());
            }
        });
    }

    private String outputTail(Scheduler scheduler, ServerRecord r, int lines) {
        try {
            return scheduler.tail(r.outputPath(), r.unixUser(), lines);
        } catch (SchedulerException e) {
            LOG.debugf("Server %s: cannot read job output: %s", r.key(), e.getMessage());
            return "";
        }
    }
}
