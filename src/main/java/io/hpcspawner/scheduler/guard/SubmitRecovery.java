package io.hpcspawner.scheduler.guard;

import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.rules.LostSubmits;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * One job from one submission, whatever goes wrong on the way (docs/resilience.md, "Submits").
 * A submit the API refused ({@link SchedulerException#rejected()}: any 4xx, 429 included) is never
 * sent again. After a failure that may have reached the server (timeout, reset connection, 5xx, an
 * answer without a job id) the job is looked up by its name after {@code retry.submit-lookup-delay}:
 * a job found is adopted; a failed listing ends the call; a listing without the job allows one more
 * submit only when the API itself answered the submit with an error ({@link SchedulerException#answered()}),
 * since after a timeout or a gateway's 502/504 it may still be creating the job. The job found is
 * chosen by the domain's one lost-submit rule ({@link LostSubmits}). Counts each outcome in
 * {@code hpcspawner.scheduler.submit.recoveries}.
 */
final class SubmitRecovery {

    private static final Logger LOG = Logger.getLogger(SubmitRecovery.class);

    private final GuardedScheduler scheduler;
    private final SystemGuards guards;

    SubmitRecovery(GuardedScheduler scheduler, SystemGuards guards) {
        this.scheduler = scheduler;
        this.guards = guards;
    }

    String submit(JobSubmission request) {
        Instant deadline = guards.deadline();
        for (int sent = 1; ; sent++) {
            SchedulerException failure;
            try {
                return scheduler.send(request, deadline);
            } catch (SchedulerException e) {
                if (!SystemGuards.worthRetrying(e) || e.rejected() || e.neverReachedApi()) {
                    throw e; // refused, or never left (already retried by the guard): nothing was made
                }
                failure = e;
            }
            String found;
            try {
                found = lookUp(request.name(), deadline);
            } catch (SchedulerException e) {
                guards.recovered("lookup_failed");
                throw new SchedulerException(failure.getMessage() + "; looking for a job named " + request.name()
                        + " failed too: " + e.getMessage(), true, failure, failure.retryAfter().orElse(null));
            }
            if (found != null) {
                LOG.infof("System %s: submitting %s failed (%s), but job %s has that name: adopting it",
                        guards.system(), request.name(), failure.getMessage(), found);
                guards.recovered("adopted");
                return found;
            }
            if (!failure.answered()) {
                guards.recovered("unconfirmed");
                throw new SchedulerException(failure.getMessage() + "; no job named " + request.name()
                        + " is listed yet, but " + guards.api() + " may still be creating it, so the submit was not"
                        + " sent again", true, failure, failure.retryAfter().orElse(null));
            }
            if (sent >= 2 || sent >= guards.maxAttempts()) {
                throw SystemGuards.gaveUp(failure, sent, "; no job named " + request.name() + " exists");
            }
            guards.recovered("resubmitted");
            LOG.infof("System %s: submitting %s failed (%s) and no job has that name: submitting it once more",
                    guards.system(), request.name(), failure.getMessage());
            try {
                guards.pause("submit", sent, failure, deadline);
            } catch (SystemGuards.Stop e) {
                throw e.failure();
            }
        }
    }

    /** The id of the job named exactly {@code jobName}, or null; throws when the listing failed. */
    private String lookUp(String jobName, Instant deadline) {
        if (!guards.waitForLookUp(deadline)) {
            throw new SchedulerException("no time was left to look", true);
        }
        return LostSubmits.byName(scheduler.jobsNamed(jobName, deadline), jobName).map(JobInfo::id).orElse(null);
    }
}
