package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.ServerState;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * Every text the lifecycle shows the user (the record's message and its progress events, and the
 * ready signal's refusals). Tests and the hub's users read these: change them with care.
 */
public final class Messages {

    private static final DateTimeFormatter DEADLINE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private Messages() {
    }

    public static String submitting(String system, String profile, int cpus, int timeLimitMinutes) {
        return "Submitting a job to " + system + " (profile " + profile + ", " + cpus + " CPU, " + timeLimitMinutes
                + " min)";
    }

    public static String submitted(String jobId, String system) {
        return "Job " + jobId + " submitted to " + system + ", waiting in the queue";
    }

    public static String submitWaiting(String system, String why, long seconds, Instant until) {
        return "The cluster " + system + " cannot be reached (" + why + "); trying again in " + seconds + " s, until "
                + TIME.format(until);
    }

    public static String submitUnreachable(String system, String why, int tries, Instant since) {
        return "The cluster " + system + " could not be reached (" + why + "); tried " + tries
                + (tries == 1 ? " time" : " times") + " since " + TIME.format(since)
                + ". No job was submitted: please start the server again later.";
    }

    public static String withdrawn(String system) {
        return "Stopped before a job was submitted to " + system;
    }

    public static String loginRequired(String error, String system) {
        return Character.toUpperCase(error.charAt(0)) + error.substring(1) + " (nothing was submitted to " + system + ")";
    }

    public static String unconfirmed(String system, String error) {
        return "The cluster " + system + " did not confirm the job (" + error
                + ") and no job with its name is listed; it was not submitted again. Please start"
                + " the server again.";
    }

    public static String refused(String system, String error) {
        return "The cluster " + system + " did not accept the job: " + error;
    }

    public static String internalError(String exception) {
        return "Internal error while submitting the job: " + exception + "; see the service log";
    }

    /** "Job 12 is waiting in the queue[: reason][. Slurm expects it to start at ...][. The start is given up at ...]". */
    public static String queued(String jobId, String reason, Instant expectedStart, Instant startDeadline) {
        return queued(jobId, reason, null, expectedStart, startDeadline);
    }

    /**
     * "Job 12 is waiting in the queue[: reason][. It is next in its partition's queue | N jobs are ahead of it in its
     * partition's queue][. Slurm expects it to start at ...][. The start is given up at ...]".
     */
    public static String queued(String jobId, String reason, Integer position, Instant expectedStart,
            Instant startDeadline) {
        return "Job " + jobId + " is waiting in the queue" + (reason == null ? "" : ": " + PendingReasons.explain(reason))
                + ahead(position)
                + (expectedStart == null ? "" : ". Slurm expects it to start at " + DEADLINE.format(expectedStart))
                + givesUpAt(startDeadline);
    }

    private static String ahead(Integer position) {
        if (position == null) {
            return "";
        }
        return position <= 1 ? ". It is next in its partition's queue"
                : ". " + (position - 1) + (position == 2 ? " job is" : " jobs are") + " ahead of it in its partition's queue";
    }

    private static String givesUpAt(Instant startDeadline) {
        return startDeadline == null ? "" : ". The start is given up at " + DEADLINE.format(startDeadline)
                + " if the job has not started by then";
    }

    public static String running(String jobId, Optional<String> node) {
        return "Job " + jobId + " is running" + node.map(n -> " on " + n).orElse("") + ", starting the server";
    }

    public static String ready(String host, int port) {
        return "Server ready at " + host + ":" + port;
    }

    public static String stopping(String jobId) {
        return "Stopping" + (jobId == null ? "" : ": cancelling job " + jobId);
    }

    public static String cancelled(String jobId) {
        return "Stopped: job " + jobId + " cancelled";
    }

    public static String cancelRetrying(String jobId, String error) {
        return "Stopping: job " + jobId + " could not be cancelled yet (" + error + "); trying again";
    }

    public static String cancelRefused(String jobId, String error) {
        return "Stopping: job " + jobId + " could not be cancelled (" + error + "). The service"
                + " tries again when you log in to the hub again or stop the server again, and every"
                + " few minutes; otherwise the job ends at its time limit";
    }

    public static String stoppedJobEnded(String jobId, String state) {
        return "Stopped: job " + jobId + " " + state.toLowerCase();
    }

    public static String stoppedJobGone(String jobId) {
        return "Stopped: job " + jobId + " is gone";
    }

    /** A failure while stopping is a stop. */
    public static String stopped() {
        return "Stopped";
    }

    public static String serverEnded(String jobId, String how, Integer exitCode) {
        return "The server's " + ended(jobId, how, exitCode);
    }

    public static String endedBeforeReady(String jobId, String how, Integer exitCode, String outputNote) {
        return "The " + ended(jobId, how, exitCode) + " before the server was ready." + outputNote;
    }

    private static String ended(String jobId, String how, Integer exitCode) {
        return "job " + jobId + " ended (" + how.toLowerCase() + (exitCode == null ? "" : ", exit code " + exitCode) + ")";
    }

    /** How a job gone from the scheduler "ended". */
    public static String goneFromScheduler() {
        return "gone from the scheduler";
    }

    /** The failed start's output, appended to its message (nothing for a blank tail). */
    public static String outputTail(String outputPath, String tail) {
        return tail.isBlank() ? "" : " Last lines of its output (" + outputPath + "):\n" + tail;
    }

    /** Why the failed start's output is not shown (a refusal says why, never what is in the file). */
    public static String outputHidden(String error) {
        return " Its output is not shown: " + error;
    }

    public static String startTimedOut(Duration allowed, String jobId) {
        return "The server did not start within " + human(allowed) + "; job " + jobId + " was cancelled";
    }

    public static String cutOffStopped() {
        return "Stopped before its job was submitted";
    }

    public static String cutOffGivenUp(Duration submitDeadline) {
        return "The service restarted while submitting the job and no job was "
                + "created within " + human(submitDeadline) + ". Please start the server again.";
    }

    public static String readyTooLate(String startId, ServerState state) {
        return "the start " + startId + " is " + state.wireName() + "; the ready signal came too late";
    }

    public static String unknownServerOrSecret() {
        return "unknown server id or wrong start secret";
    }

    /** "10m", "1h30m": a duration as the settings write it. */
    private static String human(Duration d) {
        return d.toString().substring(2).toLowerCase();
    }
}
