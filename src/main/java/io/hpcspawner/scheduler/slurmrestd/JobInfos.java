package io.hpcspawner.scheduler.slurmrestd;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import java.time.Instant;
import java.util.Optional;

/** The parts of reading a job that every slurmrestd version shares (names, reason, node, expected start). */
final class JobInfos {

    /** Slurm's NO_VAL (0xfffffffe); INFINITE is one more. */
    private static final long SLURM_NO_VAL = 0xfffffffeL;

    private JobInfos() {
    }

    /**
     * A {@link JobInfo} from a job entry and what the dialect read: the pending reason is empty
     * when slurmrestd writes {@code "None"}, the node is {@code batch_host} (where the batch script
     * runs) once the job is no longer pending; {@code startTime} (the job's {@code start_time}) is
     * the scheduler's expected start while the job is pending.
     */
    static JobInfo of(JsonNode j, JobPhase phase, String state, Optional<Integer> exit, Optional<Instant> submitted,
            Optional<Instant> startTime) {
        String reason = j.path("state_reason").asText("");
        String node = j.path("batch_host").asText("");
        return new JobInfo(j.path("job_id").asText(), j.path("name").asText(""), j.path("user_name").asText(""),
                phase, state, reason.isEmpty() || "None".equals(reason) ? Optional.empty() : Optional.of(reason),
                node.isEmpty() || phase == JobPhase.PENDING ? Optional.empty() : Optional.of(node), exit, submitted,
                phase == JobPhase.PENDING ? startTime : Optional.empty());
    }

    /**
     * A time slurmrestd gives in seconds since the epoch: empty when 0 (unset, e.g. a pending job's
     * start time while the scheduler has no estimate) or Slurm's INFINITE / NO_VAL (32-bit all ones
     * and one less).
     */
    static Optional<Instant> epochSeconds(Optional<Long> seconds) {
        return seconds.filter(n -> n > 0 && n < SLURM_NO_VAL).map(Instant::ofEpochSecond);
    }

    /** A ping entry's controller: host name and, when given, its mode, e.g. {@code ctl1 (primary)}. */
    static String host(JsonNode ping) {
        String mode = ping.path("mode").asText("");
        return ping.path("hostname").asText("?") + (mode.isEmpty() ? "" : " (" + mode + ")");
    }
}
