package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.ReadySignal;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.spawn.model.WatchRules;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.Leadership;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.rules.JobNames;
import io.hpcspawner.spawn.rules.Messages;
import io.hpcspawner.spawn.rules.Observation;
import io.hpcspawner.spawn.rules.Reconciliation;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Brings the records of one system in line with one batched listing of its scheduler, in one
 * place: restart repair and lost-submit adoption (a start whose submit was cut off takes its job
 * by name), the job's progress, missing jobs and their look-ups, start timeouts, the ready line in
 * a job's output, and jobs without a server ({@link OrphanSweep}). What to do is decided by
 * {@link Reconciliation} (pure); this class asks the scheduler and applies the steps through the
 * lifecycle. A failed query only marks the records "unknown since".
 */
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final WatchRules watch;
    private final Systems systems;
    private final SchedulerRegistry schedulers;
    private final ServerLifecycle lifecycle;
    private final StopCancels cancels;
    private final ServerReady ready;
    private final JobNames names;
    private final OrphanSweep orphans;
    private final SubmitsInFlight inFlight;
    private final Leadership leadership;
    private final Clock clock;
    /** Per system, when each start's output was last read for its ready line (only starts still starting). */
    private final Map<String, Map<String, Instant>> outputReads = new ConcurrentHashMap<>();

    public Reconciler(WatchRules watch, Systems systems, SchedulerRegistry schedulers, ServerLifecycle lifecycle,
            StopCancels cancels, ServerReady ready, JobNames names, OrphanSweep orphans, SubmitsInFlight inFlight,
            Leadership leadership, Clock clock) {
        this.watch = watch;
        this.systems = systems;
        this.schedulers = schedulers;
        this.lifecycle = lifecycle;
        this.cancels = cancels;
        this.ready = ready;
        this.names = names;
        this.orphans = orphans;
        this.inFlight = inFlight;
        this.leadership = leadership;
        this.clock = clock;
    }

    /** The active records of a system. */
    public List<ServerRecord> activeRecords(String system) {
        return lifecycle.where(r -> r.system().equals(system) && r.state().isActive());
    }

    /**
     * True while any server of the system is starting or stopping (the watcher then polls it
     * often), from the store's counts: no record is read.
     */
    public boolean busy(String system) {
        return lifecycle.countsOf(system).entrySet().stream()
                .anyMatch(e -> e.getValue() > 0 && (e.getKey().isStarting() || e.getKey() == ServerState.STOPPING));
    }

    /**
     * One round for one system: a single scheduler query, look-ups of jobs missing from it, then
     * each record updated and the orphans swept.
     *
     * @return false when the scheduler did not answer
     */
    public boolean reconcile(String system) {
        Scheduler scheduler = schedulers.forSystem(system);
        List<ServerRecord> records = activeRecords(system);
        Set<String> ids = records.stream().map(ServerRecord::jobId).filter(Objects::nonNull).collect(Collectors.toSet());
        List<JobInfo> jobs;
        Instant asked = clock.instant();
        try {
            jobs = scheduler.jobs(ids, names.sharedPrefix());
        } catch (SchedulerException e) {
            if (deposed(system)) {
                return false;
            }
            records.stream().filter(r -> r.jobId() != null)
                    .forEach(r -> lifecycle.unknown(r.key(), r.id(), e.getMessage()));
            return false;
        }
        Map<String, JobInfo> byId = new HashMap<>();
        jobs.forEach(j -> byId.put(j.id(), j));
        Optional<String> doubt = Reconciliation.doubt(ids, byId.keySet());
        doubt.ifPresent(d -> LOG.warnf("System %s: %s; each is looked up on its own before anything ends", system, d));
        Round round = new Round(scheduler, jobs, byId, doubt, new AtomicInteger(watch.maxLookUpsPerRound()),
                new AtomicInteger(Reconciliation.FALLBACK_OUTPUT_READS_PER_ROUND));
        // Starts whose output was read longest ago (or never) first: the round's fallback reads go round in turn.
        Map<String, Instant> readAt = outputReadAt(system);
        List<ServerRecord> inTurn = records.stream()
                .sorted(Comparator.comparing(r -> readAt.getOrDefault(r.id(), Instant.MIN))).toList();
        for (ServerRecord r : inTurn) {
            if (deposed(system)) {
                return false;
            }
            ServerLogFields.around(r, () -> { // the lines about this record carry its fields
            try {
                ServerRecord now = r.jobId() == null ? cutOff(round, r) : r;
                if (now.jobId() != null && !now.state().isTerminal()) {
                    follow(round, now);
                }
            } catch (SchedulerException e) {
                lifecycle.unknown(r.key(), r.id(), e.getMessage());
            }
            });
        }
        Set<String> starting = records.stream().filter(r -> r.state() == ServerState.STARTING).map(ServerRecord::id)
                .collect(Collectors.toSet());
        outputReadAt(system).keySet().retainAll(starting);
        // A record that changed after the listing was asked for (e.g. stopped and cancelled just now)
        // is newer than what the listing says about its job: leave that job to the record's own rules.
        Set<String> owned = lifecycle.where(r -> r.state().isActive() || !r.updatedAt().isBefore(asked)).stream()
                .map(ServerRecord::jobName).collect(Collectors.toSet());
        // A job whose cancel the scheduler took is ending: cancelling it again would be a second cancel.
        jobs.stream().map(JobInfo::name).filter(cancels::taken).forEach(owned::add);
        if (deposed(system)) {
            return false;
        }
        orphans.sweep(system, scheduler, jobs, owned);
        return true;
    }

    /**
     * True when this replica no longer leads: the round stops before its next step (a scheduler
     * call or a record write), as another replica may be leading already.
     */
    private boolean deposed(String system) {
        if (leadership.leads()) {
            return false;
        }
        LOG.infof("System %s: this replica no longer leads; its round stops here", system);
        return true;
    }

    /** What one round knows: the listing, by job id, whether it is in doubt, and the look-ups and output reads left. */
    private record Round(Scheduler scheduler, List<JobInfo> listing, Map<String, JobInfo> byId, Optional<String> doubt,
            AtomicInteger lookUpsLeft, AtomicInteger fallbackReadsLeft) {
    }

    /** A start without a job id: its submit is under way, or was cut off (see {@link Reconciliation#cutOff}). */
    private ServerRecord cutOff(Round round, ServerRecord seen) {
        if (seen.state().isTerminal() || inFlight.contains(seen.id())) {
            return seen;
        }
        // The launcher records the job id before it leaves the in-flight set: read the record again.
        ServerRecord r = lifecycle.find(seen.key()).filter(x -> x.id().equals(seen.id())).orElse(seen);
        if (r.jobId() != null || r.state().isTerminal()) {
            return r;
        }
        Reconciliation.Step step = Reconciliation.cutOff(r, round.listing(), clock.instant(), watch);
        if (step instanceof Reconciliation.Adopt a) {
            LOG.infof("Server %s: adopting job %s found by its name %s (its submit was cut off)", r.key(), a.job().id(),
                    r.jobName());
            return lifecycle.submitted(r.key(), r.id(), a.job().id()).orElse(r);
        }
        if (step instanceof Reconciliation.Observe o) {
            return lifecycle.observe(r.key(), r.id(), o.observation()).orElse(r);
        }
        return r; // its job may still appear: the scheduler may have been creating it when the service died
    }

    private void follow(Round round, ServerRecord r) {
        Scheduler scheduler = round.scheduler();
        Reconciliation.Step step = Reconciliation.follow(r, Optional.ofNullable(round.byId().get(r.jobId())),
                clock.instant(), watch);
        if (step instanceof Reconciliation.Missing) {
            Optional<JobInfo> found = missing(round, r);
            if (found.isEmpty()) {
                return;
            }
            step = Reconciliation.follow(r, found, clock.instant(), watch);
        }
        if (step instanceof Reconciliation.GiveUpStart g) {
            giveUp(scheduler, r, g);
        } else if (step instanceof Reconciliation.CancelAgain) {
            cancels.cancel(r, false);
        } else if (step instanceof Reconciliation.Observe o) {
            lifecycle.observe(r.key(), r.id(), o.observation());
        } else if (step instanceof Reconciliation.Follow f) {
            progress(round, r, f.job());
        }
    }

    private void progress(Round round, ServerRecord r, JobInfo job) {
        Scheduler scheduler = round.scheduler();
        switch (job.phase()) {
            case PENDING -> lifecycle.pending(r.key(), r.id(), job.reason(), job.expectedStart(),
                    job.queuePosition());
            case RUNNING -> {
                ServerRecord now = lifecycle.jobRunning(r.key(), r.id(), job.node()).orElse(r);
                if (now.state() == ServerState.STARTING) {
                    readOutputIfDue(round, now);
                }
            }
            case ENDED -> lifecycle.observe(r.key(), r.id(),
                    new Observation.JobEnded(job.state(), job.exitCode().orElse(null), outputNote(scheduler, r)));
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
        if (!(Reconciliation.missing(m, clock.instant(), watch) instanceof Reconciliation.LookUp)
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

    private void giveUp(Scheduler scheduler, ServerRecord r, Reconciliation.GiveUpStart step) {
        try {
            scheduler.cancel(r.jobId(), r.unixUser());
        } catch (SchedulerException e) {
            LOG.warnf("Server %s: cancelling job %s after the start timeout failed: %s", r.key(), r.jobId(),
                    e.getMessage());
            return; // try again next round; the record stays active so the job is not forgotten
        }
        lifecycle.observe(r.key(), r.id(), new Observation.StartTimedOut(step.allowed()));
    }

    private Map<String, Instant> outputReadAt(String system) {
        return outputReads.computeIfAbsent(system, k -> new ConcurrentHashMap<>());
    }

    /**
     * Reads the start's output for its ready line when {@link Reconciliation#readsOutput} says it is
     * due; a callback system's fallback reads also count against the round's budget.
     */
    private void readOutputIfDue(Round round, ServerRecord r) {
        Instant now = clock.instant();
        ReadySignal signal = systems.get(r.system()).readySignal();
        if (!Reconciliation.readsOutput(r, signal, now, Optional.ofNullable(outputReadAt(r.system()).get(r.id())), watch)) {
            return;
        }
        if (signal != ReadySignal.OUTPUT && round.fallbackReadsLeft().getAndDecrement() <= 0) {
            return;
        }
        outputReadAt(r.system()).put(r.id(), now);
        lookForReadyLine(round.scheduler(), r);
    }

    /** A ready line counts only with this start's proof, for the job's own node and a port in range. */
    private void lookForReadyLine(Scheduler scheduler, ServerRecord r) {
        Optional<ReadyLine> line = ReadyLine.find(outputTail(scheduler, r, 200), r.id(), r.secretHash());
        line.ifPresent(l -> {
            try {
                ready.at(r, l.host(), l.port());
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
