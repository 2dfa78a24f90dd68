package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.model.ReadySignal;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.StartRules;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.LoginRequiredException;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.port.Sleeper;
import io.hpcspawner.spawn.rules.JobEnvironment;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.hpcspawner.spawn.rules.LostSubmits;
import io.hpcspawner.spawn.rules.Observation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Submits the job of a new start in the background and records the outcome. A cluster that cannot
 * be reached is waited out for {@code hpcspawner.submit.retry-for} ({@link PatientSubmit}), the wait
 * shown in the progress; then the start fails with {@code scheduler_unavailable}. A submit whose
 * answer was lost is repaired by looking the job up by its name, never by submitting again. A stop
 * that arrived while the submit was in flight is honoured here by cancelling the new job at once.
 */
@ApplicationScoped
public class JobLauncher {

    private static final Logger LOG = Logger.getLogger(JobLauncher.class);

    private final Systems systems;
    private final StartRules start;
    private final SchedulerRegistry schedulers;
    private final BatchScriptRenderer renderer;
    private final ServerLifecycle lifecycle;
    private final SubmitsInFlight inFlight;
    private final StopCancels cancels;
    private final Timer submitTimer;
    private final PatientSubmit patient;
    private final ExecutorService pool;

    public JobLauncher(Systems systems, StartRules start, SchedulerRegistry schedulers, BatchScriptRenderer renderer,
            ServerLifecycle lifecycle, SubmitsInFlight inFlight, StopCancels cancels, MeterRegistry meters, Clock clock,
            Sleeper sleeper) {
        this.inFlight = inFlight;
        this.cancels = cancels;
        this.systems = systems;
        this.start = start;
        this.patient = new PatientSubmit(clock, sleeper, start.submitRetryFor(), start.submitRetryInterval());
        this.schedulers = schedulers;
        this.renderer = renderer;
        this.lifecycle = lifecycle;
        this.submitTimer = Timer.builder("hpcspawner.submit").description("Time from a start's first submit to its job id, waits for an unreachable cluster included").register(meters);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "job-launcher-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Lets submits in flight finish (their outcome is recorded); a kill -9 is repaired at the next start instead. */
    void onStop(@Observes ShutdownEvent event) {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(20, java.util.concurrent.TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Submits in the background; the start must already be marked in {@link SubmitsInFlight}. */
    void launch(ServerRecord record, LaunchPlan plan, Map<String, String> hubEnvironment, String secret) {
        // SpawnService marked the start in flight before its record became durable; it ends here.
        pool.submit(() -> ServerLogFields.around(record, () -> { // this thread's lines are about this server
            try {
                submit(record, plan, hubEnvironment, secret);
            } catch (RuntimeException e) {
                LOG.errorf(e, "Server %s: submit failed unexpectedly", record.key());
                lifecycle.observe(record.key(), record.id(), new Observation.SubmitCrashed(e.getClass().getSimpleName()));
            } finally {
                inFlight.end(record.id());
            }
        }));
    }

    private void submit(ServerRecord record, LaunchPlan plan, Map<String, String> hubEnvironment, String secret) {
        SystemSettings system = systems.get(plan.system());
        Optional<String> callback = start.publicUrl().filter(u -> system.readySignal() == ReadySignal.CALLBACK)
                .map(u -> u.toString().replaceAll("/+$", "") + "/api/v1/callback/" + record.id());
        Map<String, String> site = new LinkedHashMap<>();
        system.environment().forEach((k, v) -> site.put(k, v.replace("{user}", plan.unixUser())));
        Map<String, String> environment = JobEnvironment.compose(hubEnvironment, site);
        // The script body carries the environment and the start secret: it is never logged.
        String script = renderer.render(record.key(), plan, system, record.jobName(), record.outputPath(),
                new ReadySignalSetup(record.id(), secret, callback), environment);
        JobSubmission submission = new JobSubmission(record.jobName(), plan.unixUser(), script, plan.partition(),
                plan.cpus(), plan.memory(), plan.timeLimitMinutes(), plan.account(), plan.workingDirectory(), record.outputPath(),
                JobEnvironment.transport(environment), plan.extraSbatchOptions());
        Scheduler scheduler = schedulers.forSystem(plan.system());
        String jobId;
        try {
            jobId = submitTimer.recordCallable(() -> patient.submit(scheduler, submission, plan.system(),
                    record.createdAt(), progressOf(record)));
        } catch (PatientSubmit.Unreachable e) {
            LOG.warnf("Server %s: %s", record.key(), e.getMessage());
            lifecycle.observe(record.key(), record.id(), new Observation.SubmitUnreachable(e.getMessage()));
            return;
        } catch (PatientSubmit.Withdrawn e) {
            lifecycle.observe(record.key(), record.id(), new Observation.SubmitWithdrawn());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.infof("Server %s: the service is stopping while the start waits for %s; the next start-up repairs it",
                    record.key(), plan.system());
            return;
        } catch (SchedulerException e) {
            Optional<String> found = e.isTransient() ? lookUp(scheduler, record.jobName()) : Optional.empty();
            if (found.isEmpty()) {
                Observation.SubmitFailure why = e instanceof LoginRequiredException
                        ? Observation.SubmitFailure.LOGIN_REQUIRED
                        : e.isTransient() ? Observation.SubmitFailure.UNCONFIRMED : Observation.SubmitFailure.REFUSED;
                lifecycle.observe(record.key(), record.id(), new Observation.SubmitFailed(why, e.getMessage()));
                return;
            }
            LOG.infof("Server %s: the submit answer was lost, but job %s exists: adopting it", record.key(), found.get());
            jobId = found.get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Optional<ServerRecord> after = lifecycle.submitted(record.key(), record.id(), jobId);
        if (after.isPresent() && after.get().state() == ServerState.STOPPING) {
            // Stopped while the submit was in flight: the job must not outlive its server.
            cancels.cancel(after.get(), true);
        } else if (after.isEmpty()) {
            // Replaced while the submit was in flight: no record to follow this job, cancel it now.
            try {
                scheduler.cancel(jobId, plan.unixUser());
            } catch (SchedulerException e) {
                LOG.warnf("Server %s: cancelling job %s of a replaced start failed, the orphan sweep will: %s",
                        record.key(), jobId, e.getMessage());
            }
        }
    }

    /** How the waiting start shows itself, and whether it still wants its job. */
    private PatientSubmit.Progress progressOf(ServerRecord record) {
        return new PatientSubmit.Progress() {
            @Override
            public void waiting(String text) {
                lifecycle.waiting(record.key(), record.id(), text);
            }

            @Override
            public boolean withdrawn() {
                return lifecycle.find(record.key()).filter(r -> r.id().equals(record.id()))
                        .map(r -> r.state() != ServerState.SUBMITTING).orElse(true);
            }
        };
    }

    /** The job of a lost submit, by its name; a failed listing counts as "not found" (the start fails, unsent again). */
    private static Optional<String> lookUp(Scheduler scheduler, String jobName) {
        try {
            return LostSubmits.byName(scheduler.jobs(Set.of(), jobName), jobName).map(JobInfo::id);
        } catch (SchedulerException e) {
            return Optional.empty();
        }
    }
}
