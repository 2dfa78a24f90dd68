package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads FirecREST's job descriptions, v2's {@code JobModel} and v1's squeue rows, into
 * {@link JobInfo} through one path ({@link #jobInfo}): the state's first word decides the phase,
 * Slurm's {@code None} reason means none, the node is the first host of the compressed host list
 * ({@link HostList}), and pending placeholders ({@code None assigned}, empty) mean no node.
 * Only v2 gives a pending job's expected start ({@code time.start}, seconds since the epoch); v1's
 * squeue start time is the cluster's local time without a zone, so it is not read.
 */
final class JobModels {

    /** What ends a state's first word; compiled once, as every job of a listing passes here. */
    private static final Pattern WORD_END = Pattern.compile("[\\s,]+");

    private JobModels() {
    }

    /**
     * FirecREST v2's {@code JobModel}. Over SSH the state is sacct's ({@code CANCELLED by 1234}),
     * over slurmrestd the first of the state flags; {@code nodes} is a compressed host list. Exit
     * codes come split into {@code exitCode} and {@code interruptSignal}; a signal is reported as
     * 128 + its number, as a shell would.
     */
    static JobInfo fromV2(JsonNode job) {
        JsonNode status = job.path("status");
        String state = firstWord(status.path("state"));
        Optional<Integer> exit = Optional.empty();
        if (JobPhase.ofSlurmState(state) == JobPhase.ENDED) {
            int signal = status.path("interruptSignal").asInt(0);
            if (signal > 0) {
                exit = Optional.of(128 + signal);
            } else if (status.path("exitCode").canConvertToInt()) {
                exit = Optional.of(status.path("exitCode").asInt());
            }
        }
        JobInfo read = jobInfo(id(job.path("jobId")), text(job.path("name")), text(job.path("user")), state,
                text(status.path("stateReason")), text(job.path("nodes")), exit);
        return read.phase() == JobPhase.PENDING ? withExpectedStart(read, job.path("time").path("start")) : read;
    }

    /** Whether a v2 {@code JobModel} is waiting in the queue (its state's first word is a pending one). */
    static boolean isPending(JsonNode job) {
        return JobPhase.ofSlurmState(firstWord(job.path("status").path("state"))) == JobPhase.PENDING;
    }

    /** A pending job's {@code time.start}: the scheduler's estimate when a positive number, else none. */
    private static JobInfo withExpectedStart(JobInfo job, JsonNode start) {
        Optional<Instant> expected = start.canConvertToLong() && start.asLong() > 0
                ? Optional.of(Instant.ofEpochSecond(start.asLong())) : Optional.empty();
        return new JobInfo(job.id(), job.name(), job.user(), job.phase(), job.state(), job.reason(), job.node(),
                job.exitCode(), job.submittedAt(), expected);
    }

    /**
     * One row of FirecREST v1's {@code GET /compute/jobs} task: squeue's {@code %T} long state,
     * {@code nodes} the node <em>count</em> ({@code %D}, ignored), and {@code nodelist} squeue's
     * {@code %R}: the host list of a running job, or {@code (Reason)} in parentheses while pending.
     * squeue has no exit code.
     */
    static JobInfo fromV1(JsonNode job) {
        String nodelist = text(job.path("nodelist")).trim();
        boolean isReason = nodelist.startsWith("(") && nodelist.endsWith(")");
        String reason = isReason ? nodelist.substring(1, nodelist.length() - 1).trim() : "";
        return jobInfo(id(job.path("jobid")), text(job.path("name")), text(job.path("user")),
                firstWord(job.path("state")), reason, isReason ? "" : nodelist, Optional.empty());
    }

    private static JobInfo jobInfo(String id, String name, String user, String state, String reason, String hostList,
            Optional<Integer> exitCode) {
        boolean noReason = reason.isBlank() || reason.equalsIgnoreCase("None") || reason.equals("null");
        return new JobInfo(id, name, user, JobPhase.ofSlurmState(state), state,
                noReason ? Optional.empty() : Optional.of(reason), HostList.first(hostList), exitCode);
    }

    /** A job id sent as a string (the spec) or a number (some FirecREST versions); empty if neither. */
    static String id(JsonNode id) {
        if (id.isTextual()) {
            return id.asText().trim();
        }
        if (id.isIntegralNumber()) {
            return id.asText();
        }
        return "";
    }

    /** {@code CANCELLED by 1234} is CANCELLED, {@code RUNNING,COMPLETING} is RUNNING, a list counts by its first. */
    static String firstWord(JsonNode state) {
        String s = text(state.isArray() ? state.path(0) : state).trim();
        return s.isEmpty() ? "" : WORD_END.split(s, 2)[0];
    }

    static String text(JsonNode node) {
        return node.isValueNode() && !node.isNull() ? node.asText() : "";
    }
}
