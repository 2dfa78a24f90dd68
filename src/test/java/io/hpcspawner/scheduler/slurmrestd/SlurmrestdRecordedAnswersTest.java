package io.hpcspawner.scheduler.slurmrestd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The adapter reads real slurmrestd 22.05 answers (recorded in shared/specs/slurmrestd/examples). */
class SlurmrestdRecordedAnswersTest {

    final ObjectMapper json = new ObjectMapper();

    JsonNode response(String file) throws Exception {
        return json.readTree(Path.of("src/test/resources/slurmrestd").resolve(file).toFile()).path("response");
    }

    @Test
    void aRunningJobHasItsNodeAndNoPendingReason() throws Exception {
        JobInfo j = new V0038Dialect().toJobInfo(response("job-get-running.json").path("jobs").get(0));
        assertThat(j.phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(j.node()).contains("vm");
        assertThat(j.reason()).isEmpty(); // slurmrestd writes the string "None"
        assertThat(j.user()).isEqualTo("alice");
        assertThat(j.exitCode()).isEmpty();
    }

    @Test
    void aPendingJobsStartTimeIsTheSchedulersEstimateAndARunningJobHasNone() throws Exception {
        JsonNode running = response("job-get-running.json").path("jobs").get(0);
        assertThat(new V0038Dialect().toJobInfo(running).expectedStart()).isEmpty(); // start_time is its real start
        com.fasterxml.jackson.databind.node.ObjectNode pending = running.deepCopy();
        pending.put("job_state", "PENDING").put("state_reason", "Priority").put("batch_host", "");
        pending.put("start_time", 1795315843L);
        assertThat(new V0038Dialect().toJobInfo(pending).expectedStart())
                .contains(java.time.Instant.parse("2026-11-22T02:50:43Z"));
        pending.put("start_time", 0); // no estimate yet
        assertThat(new V0038Dialect().toJobInfo(pending).expectedStart()).isEmpty();
        pending.put("start_time", 0xfffffffeL); // Slurm's NO_VAL
        assertThat(new V0038Dialect().toJobInfo(pending).expectedStart()).isEmpty();
    }

    @Test
    void aCancelledJobHasEnded() throws Exception {
        JobInfo j = new V0038Dialect().toJobInfo(response("job-get-cancelled.json").path("jobs").get(0));
        assertThat(j.phase()).isEqualTo(JobPhase.ENDED);
        assertThat(j.state()).isEqualTo("CANCELLED");
    }

    @Test
    void exitCodesAreRawWaitStatuses() {
        assertThat(V0038Dialect.exitStatus(768)).isEqualTo(3);
        assertThat(V0038Dialect.exitStatus(0)).isZero();
        assertThat(V0038Dialect.exitStatus(15)).isEqualTo(128 + 15); // killed by SIGTERM
        assertThat(V0038Dialect.exitStatus(256)).isEqualTo(1);
    }

    @Test
    void unknownStatesNeverEndAServer() {
        assertThat(JobPhase.ofSlurmState("SOMETHING_NEW")).isEqualTo(JobPhase.RUNNING);
        assertThat(JobPhase.ofSlurmState("COMPLETING")).isEqualTo(JobPhase.RUNNING);
        assertThat(JobPhase.ofSlurmState("PENDING")).isEqualTo(JobPhase.PENDING);
        assertThat(JobPhase.ofSlurmState("TIMEOUT")).isEqualTo(JobPhase.ENDED);
    }

    @Test
    void memorySizesBecomeMegabytes() {
        assertThat(MemorySize.toMegabytes("8G")).isEqualTo(8192);
        assertThat(MemorySize.toMegabytes("512")).isEqualTo(512);
        assertThat(MemorySize.toMegabytes("2048K")).isEqualTo(2);
        assertThat(MemorySize.toMegabytes("1T")).isEqualTo(1024 * 1024);
    }
}
