package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcspawner.scheduler.JobInfo;
import io.hpcspawner.scheduler.JobPhase;
import java.util.Optional;

/**
 * Reads FirecREST v2's {@code JobModel}. FirecREST passes Slurm's words through: over SSH the
 * state is sacct's ({@code CANCELLED by 1234}), over slurmrestd the first of the state flags; the
 * reason is {@code None} when there is none; {@code nodes} is a compressed host list, or
 * {@code None assigned} / empty while pending. Exit codes come split into {@code exitCode} and
 * {@code interruptSignal}; a signal is reported as 128 + its number, as a shell would.
 */
final class JobModels {

    private JobModels() {
    }

    static JobInfo toJobInfo(JsonNode job) {
        JsonNode status = job.path("status");
        String state = firstWord(status.path("state"));
        JobPhase phase = JobPhase.ofSlurmState(state);
        String reason = text(status.path("stateReason"));
        Optional<Integer> exit = Optional.empty();
        if (phase == JobPhase.ENDED) {
            int signal = status.path("interruptSignal").asInt(0);
            if (signal > 0) {
                exit = Optional.of(128 + signal);
            } else if (status.path("exitCode").canConvertToInt()) {
                exit = Optional.of(status.path("exitCode").asInt());
            }
        }
        return new JobInfo(id(job.path("jobId")), text(job.path("name")), text(job.path("user")), phase, state,
                reason.isEmpty() || reason.equalsIgnoreCase("None") ? Optional.empty() : Optional.of(reason),
                HostList.first(text(job.path("nodes"))), exit);
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
        return s.isEmpty() ? "" : s.split("[\\s,]+", 2)[0];
    }

    private static String text(JsonNode node) {
        return node.isValueNode() && !node.isNull() ? node.asText() : "";
    }
}
