package io.hpcspawner.spawn;

import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.scheduler.JobInfo;
import io.hpcspawner.scheduler.JobPhase;
import io.hpcspawner.scheduler.Scheduler;
import io.hpcspawner.scheduler.SchedulerException;
import io.hpcspawner.scheduler.SchedulerRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Brings the records of one system in line with one batched answer of its scheduler. The rules:
 * only positive evidence ends a server (the job ended, or stayed missing past the grace period);
 * a failed query only marks the records "unknown since"; a start that fails shows the user the
 * tail of the job's output; live jobs with this deployment's name prefix and no live server are
 * cancelled. At start-up ({@code reconcile}) starts whose submit was interrupted are repaired by
 * looking their job up by name.
 */
@ApplicationScoped
public class JobTracker {

    private static final Logger LOG = Logger.getLogger(JobTracker.class);
    private static final Duration OUTPUT_FALLBACK_AFTER = Duration.ofSeconds(15);

    private final SpawnerConfig config;
    private final SchedulerRegistry schedulers;
    private final ServerLifecycle lifecycle;
    private final SpawnService spawns;
    private final Clock clock;
    private final Instant startedAt;
    /** Orphaned jobs whose cancel was refused for a reason that needs a person (e.g. an expired login): warned once. */
    private final Set<String> refusedOrphans = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public JobTracker(SpawnerConfig config, SchedulerRegistry schedulers, ServerLifecycle lifecycle, SpawnService spawns,
            Clock clock) {
        this.config = config;
        this.schedulers = schedulers;
        this.lifecycle = lifecycle;
        this.spawns = spawns;
        this.clock = clock;
        this.startedAt = clock.instant();
    }

    /** The active records of a system. */
    public List<ServerRecord> activeRecords(String system) {
        return lifecycle.all().stream().filter(r -> r.system().equals(system) && r.state().isActive()).toList();
    }

    /**
     * One round for one system: a single scheduler query, then each record updated.
     *
     * @param reconcile true for the first round after start-up
     * @return false when the scheduler did not answer
     */
    public boolean track(String system, boolean reconcile) {
        Scheduler scheduler = schedulers.forSystem(system);
        List<ServerRecord> records = activeRecords(system);
        Set<String> ids = records.stream().map(ServerRecord::jobId).filter(java.util.Objects::nonNull)
                .collect(Collectors.toSet());
        String prefix = config.jobNamePrefix() + "-";
        List<JobInfo> jobs;
        Instant asked = clock.instant();
        try {
            jobs = scheduler.jobs(ids, prefix);
        } catch (SchedulerException e) {
            records.stream().filter(r -> r.jobId() != null)
                    .forEach(r -> lifecycle.unknown(r.key(), r.id(), e.getMessage()));
            return false;
        }
        Map<String, JobInfo> byId = new HashMap<>();
        Map<String, JobInfo> byName = new HashMap<>();
        for (JobInfo j : jobs) {
            byId.put(j.id(), j);
            byName.merge(j.name(), j, (a, b) -> a.phase() == JobPhase.ENDED ? b : a);
        }
        for (ServerRecord r : records) {
            try {
                follow(scheduler, reconcile ? repairSubmit(r, byName) : r, byId);
            } catch (SchedulerException e) {
                lifecycle.unknown(r.key(), r.id(), e.getMessage());
            }
        }
        cancelOrphans(scheduler, jobs, asked);
        return true;
    }

    /** A start still submitting at start-up was cut off mid-submit: adopt its job if it exists, else fail it. */
    private ServerRecord repairSubmit(ServerRecord r, Map<String, JobInfo> byName) {
        if (r.jobId() != null || !(r.state() == ServerState.SUBMITTING || r.state() == ServerState.STOPPING)
                || !r.createdAt().isBefore(startedAt)) {
            return r; // starts made since this process began have their submit in flight here
        }
        JobInfo job = byName.get(r.jobName());
        if (job != null) {
            LOG.infof("Server %s: adopting job %s found by its name %s after a restart", r.key(), job.id(), r.jobName());
            return lifecycle.submitted(r.key(), r.id(), job.id()).orElse(r);
        }
        if (r.state() == ServerState.STOPPING) {
            return lifecycle.stopped(r.key(), r.id(), "Stopped before its job was submitted", 0).orElse(r);
        }
        return lifecycle.failed(r.key(), r.id(), "The service restarted while submitting the job and no job was "
                + "created. Please start the server again.", 1).orElse(r);
    }

    private void follow(Scheduler scheduler, ServerRecord r, Map<String, JobInfo> byId) {
        if (r.jobId() == null || r.state().isTerminal()) {
            return; // the submit is in flight; the launcher records its outcome
        }
        if (r.state().isStarting() && startDeadline(r).isBefore(clock.instant())) {
            giveUp(scheduler, r);
            return;
        }
        JobInfo job = byId.get(r.jobId());
        if (job == null) {
            missing(scheduler, r);
            return;
        }
        if (r.state() == ServerState.STOPPING) {
            if (job.phase() == JobPhase.ENDED) {
                lifecycle.stopped(r.key(), r.id(), "Stopped: job " + r.jobId() + " " + job.state().toLowerCase(), 0);
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

    private void missing(Scheduler scheduler, ServerRecord r) {
        ServerRecord m = lifecycle.missing(r.key(), r.id()).orElse(r);
        if (m.missingSince() != null && m.missingSince().plus(config.watch().goneGrace()).isBefore(clock.instant())) {
            if (r.state() == ServerState.STOPPING) {
                lifecycle.stopped(r.key(), r.id(), "Stopped: job " + r.jobId() + " is gone", 0);
            } else {
                ended(scheduler, r, "gone from the scheduler", null);
            }
        }
    }

    private void ended(Scheduler scheduler, ServerRecord r, String how, Integer exitCode) {
        String what = "job " + r.jobId() + " ended (" + how.toLowerCase()
                + (exitCode == null ? "" : ", exit code " + exitCode) + ")";
        if (r.state() == ServerState.RUNNING) {
            lifecycle.stopped(r.key(), r.id(), "The server's " + what, exitCode);
            return;
        }
        String tail;
        try {
            tail = scheduler.tail(r.outputPath(), r.unixUser(), config.batch().failureOutputLines());
            tail = tail.isBlank() ? "" : " Last lines of its output (" + r.outputPath() + "):\n" + tail;
        } catch (SchedulerException e) { // a refusal says why (e.g. the file is a link), never what is in the file
            tail = e.isTransient() ? "" : " Its output is not shown: " + e.getMessage();
        }
        lifecycle.failed(r.key(), r.id(), "The " + what + " before the server was ready." + tail, exitCode);
    }

    /** The record's own deadline (its profile's queue-timeout); the global start timeout for older records. */
    private Instant startDeadline(ServerRecord r) {
        return r.startDeadline() != null ? r.startDeadline() : r.createdAt().plus(config.watch().startTimeout());
    }

    private void giveUp(Scheduler scheduler, ServerRecord r) {
        try {
            scheduler.cancel(r.jobId(), r.unixUser());
        } catch (SchedulerException e) {
            LOG.warnf("Server %s: cancelling job %s after the start timeout failed: %s", r.key(), r.jobId(),
                    e.getMessage());
            return; // try again next round; the record stays active so the job is not forgotten
        }
        lifecycle.failed(r.key(), r.id(), "The server did not start within "
                + Duration.between(r.createdAt(), startDeadline(r)).toString().substring(2).toLowerCase()
                + "; job " + r.jobId() + " was cancelled", 1);
    }

    private boolean readsOutput(ServerRecord r) {
        SpawnerConfig.SystemConfig system = config.systems().get(r.system());
        if (system.readySignal() == SpawnerConfig.ReadySignal.output) {
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

    /** Live jobs of this deployment that belong to no live server: a crash or a lost race left them behind. */
    private void cancelOrphans(Scheduler scheduler, List<JobInfo> jobs, Instant asked) {
        // A record that changed after the listing was asked for (e.g. stopped and cancelled just now)
        // is newer than what the listing says about its job: leave that job to the record's own rules.
        Set<String> spared = lifecycle.all().stream()
                .filter(r -> r.state().isActive() || !r.updatedAt().isBefore(asked))
                .map(ServerRecord::jobName).collect(Collectors.toSet());
        String prefix = config.jobNamePrefix() + "-";
        for (JobInfo j : jobs) {
            if (j.phase() == JobPhase.ENDED || "COMPLETING".equalsIgnoreCase(j.state()) || !j.name().startsWith(prefix)
                    || spared.contains(j.name())) {
                continue;
            }
            try {
                scheduler.cancel(j.id(), j.user());
                LOG.warnf("Cancelled job %s (%s, user %s): it belongs to no live server", j.id(), j.name(), j.user());
            } catch (SchedulerException e) {
                if (e.isTransient() || refusedOrphans.add(j.id())) {
                    LOG.warnf("Cancelling orphaned job %s failed%s: %s", j.id(),
                            e.isTransient() ? "" : " (said once; tried again every round)", e.getMessage());
                }
            }
        }
    }
}
