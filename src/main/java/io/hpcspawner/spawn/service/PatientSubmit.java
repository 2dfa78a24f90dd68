package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.Sleeper;
import io.hpcspawner.spawn.rules.LostSubmits;
import io.hpcspawner.spawn.rules.Messages;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Submits a start's job, waiting out a cluster that cannot be reached (docs/lifecycle.md, "Submit
 * during an outage"). A submit that certainly created no job is tried again after a growing wait
 * (or the wait a {@code Retry-After} asked for, when longer), until the start's retry time is
 * over; the user sees each wait. Certainly no job: the request never reached the API (no
 * connection, or refused by the service's own fault handling) or the API answered 429. After a
 * 503 the job is looked up by its name before the next try, and a failed look-up is never
 * followed by a submit. Any other failure may have created the job and goes to the caller as it
 * is, never tried again here.
 */
public final class PatientSubmit {

    private static final Logger LOG = Logger.getLogger(PatientSubmit.class);
    private static final Duration LONGEST_INTERVAL = Duration.ofSeconds(30);
    private static final int MAX_REASON = 240;

    /** What the start learns while it waits, and whether it still wants its job. */
    public interface Progress {
        /** Shown to the user: the cluster cannot be reached, and when the next try is. */
        void waiting(String text);

        /** True when the start was stopped (or replaced) while it waited: nothing more is submitted. */
        boolean withdrawn();
    }

    /** The retry time is over and the cluster still could not be reached; nothing was submitted. */
    public static final class Unreachable extends Exception {
        Unreachable(String message, SchedulerException last) {
            super(message, last);
        }
    }

    /** The start was stopped while it waited for its cluster; nothing was submitted. */
    public static final class Withdrawn extends Exception {
        Withdrawn() {
            super("the start was stopped while waiting for its cluster", null, false, false);
        }
    }

    private final Clock clock;
    private final Sleeper sleeper;
    private final Duration retryFor;
    private final Duration firstInterval;

    public PatientSubmit(Clock clock, Sleeper sleeper, Duration retryFor, Duration firstInterval) {
        this.clock = clock;
        this.sleeper = sleeper;
        this.retryFor = retryFor;
        this.firstInterval = firstInterval;
    }

    /**
     * The id of the start's job.
     *
     * @param system the cluster's name, for messages
     * @param since when the start was created: the retry time counts from there
     * @throws SchedulerException a failure after which the job may exist, or one that is final (a 4xx)
     * @throws Unreachable the retry time is over
     * @throws Withdrawn the start was stopped while waiting
     * @throws InterruptedException the service is stopping (the start is repaired at the next start-up)
     */
    public String submit(Scheduler scheduler, JobSubmission job, String system, Instant since, Progress progress)
            throws Unreachable, Withdrawn, InterruptedException {
        Instant until = since.plus(retryFor);
        Duration interval = firstInterval;
        boolean lookFirst = false;
        int tries = 0;
        for (;;) {
            SchedulerException failure;
            boolean submitting = !lookFirst;
            try {
                if (lookFirst) {
                    Optional<String> found = lookUp(scheduler, job.name());
                    if (found.isPresent()) {
                        LOG.infof("Job %s of %s exists after all (found by its name): adopting it", found.get(), job.name());
                        return found.get();
                    }
                    submitting = true; // a listing that worked shows no such job: now it may be sent
                }
                tries++;
                return scheduler.submit(job);
            } catch (SchedulerException e) {
                if (submitting && !certainlyNoJob(e) && !unavailable(e)) {
                    throw e; // the job may exist, or the refusal is final: never tried again here
                }
                failure = e;
                // after a 503 the next round looks before it submits; a failed look-up is looked again
                lookFirst = !submitting || unavailable(e);
            }
            Instant now = clock.instant();
            Duration asked = failure.retryAfter().orElse(Duration.ZERO);
            Duration wait = asked.compareTo(interval) > 0 ? asked : interval;
            String why = reason(failure);
            if (now.plus(wait).isAfter(until)) {
                throw new Unreachable(Messages.submitUnreachable(system, why, tries, since), failure);
            }
            progress.waiting(Messages.submitWaiting(system, why, seconds(wait), until));
            sleeper.sleep(wait);
            if (progress.withdrawn()) {
                throw new Withdrawn();
            }
            interval = interval.multipliedBy(2).compareTo(LONGEST_INTERVAL) > 0 ? LONGEST_INTERVAL
                    : interval.multipliedBy(2);
        }
    }

    /** No job can have been made: the request never reached the API, or the API said it is too busy (429). */
    static boolean certainlyNoJob(SchedulerException e) {
        return e.neverReachedApi() || e.answeredStatus().orElse(0) == 429;
    }

    /** The API (or a gateway) answered 503: almost surely no job, but looked up before trying again. */
    private static boolean unavailable(SchedulerException e) {
        return !e.neverReachedApi() && e.answeredStatus().orElse(0) == 503;
    }

    /** The job of a lost submit, by its name; a failed listing throws (and is looked at again, never submitted). */
    private static Optional<String> lookUp(Scheduler scheduler, String name) {
        return LostSubmits.byName(scheduler.jobs(Set.of(), name), name).map(JobInfo::id);
    }

    private static long seconds(Duration d) {
        return Math.max(1, (d.toMillis() + 999) / 1000);
    }

    private static String reason(SchedulerException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replaceAll("\\s+", " ").trim();
        return m.length() > MAX_REASON ? m.substring(0, MAX_REASON) + "..." : m;
    }
}
