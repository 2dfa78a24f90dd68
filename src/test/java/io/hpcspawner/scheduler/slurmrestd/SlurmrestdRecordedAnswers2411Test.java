package io.hpcspawner.scheduler.slurmrestd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The adapter reads real Slurm 24.11 answers (recorded in shared/specs/recorded/slurm-24.11,
 * copied to src/test/resources/slurmrestd/slurm-24.11): state lists, {set, infinite, number}
 * values, exit codes as objects, pings.
 */
class SlurmrestdRecordedAnswers2411Test {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode recorded(String file) throws Exception {
        return JSON.readTree(SlurmrestdSpecs.read("/slurmrestd/slurm-24.11/" + file));
    }

    /** The first job of a recorded answer of {@code v} ({@code call}: job, job-after-cancel) as the adapter reads it. */
    static JobInfo recordedJob(SlurmrestdApiVersion v, String call) throws Exception {
        return v.dialect().toJobInfo(recorded("slurm-" + v + "-" + call + ".json").path("jobs").get(0));
    }

    static SlurmrestdDialect dialect(String version) {
        return SlurmrestdApiVersion.of(version).orElseThrow().dialect();
    }

    static JsonNode job(String json) throws Exception {
        return JSON.readTree(json);
    }

    @ParameterizedTest
    @EnumSource(value = SlurmrestdApiVersion.class, names = {"V0_0_40", "V0_0_42"})
    void aRunningJobHasItsNodeItsSubmitTimeAndNoReasonOrExitCode(SlurmrestdApiVersion v) throws Exception {
        JobInfo j = recordedJob(v, "job");
        assertThat(j.phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(j.state()).isEqualTo("RUNNING");
        assertThat(j.node()).contains("trixie1");
        assertThat(j.reason()).isEmpty(); // the string "None"
        assertThat(j.user()).isEqualTo("alice");
        assertThat(j.name()).isEqualTo("example-" + v.wireName().substring(1));
        assertThat(j.exitCode()).isEmpty(); // "SUCCESS" with return code 0 while it runs: not an end
        assertThat(j.submittedAt()).contains(Instant.ofEpochSecond(v == SlurmrestdApiVersion.V0_0_40 ? 1796185014L
                : 1796185018L));
    }

    @ParameterizedTest
    @EnumSource(value = SlurmrestdApiVersion.class, names = {"V0_0_40", "V0_0_42"})
    void aPendingJobsStartTimeIsTheSchedulersEstimateUnlessUnsetOrInfinite(SlurmrestdApiVersion v) throws Exception {
        JsonNode running = recorded("slurm-" + v + "-job.json").path("jobs").get(0);
        assertThat(v.dialect().toJobInfo(running).expectedStart()).isEmpty(); // a running job's start is no estimate
        ObjectNode pending = running.deepCopy();
        pending.putArray("job_state").add("PENDING");
        pending.put("state_reason", "Priority").put("batch_host", "");
        ObjectNode start = pending.putObject("start_time").put("set", true).put("infinite", false)
                .put("number", 1796188618L);
        JobInfo j = v.dialect().toJobInfo(pending);
        assertThat(j.phase()).isEqualTo(JobPhase.PENDING);
        assertThat(j.expectedStart()).contains(Instant.parse("2026-12-02T05:16:58Z"));
        start.put("number", 0); // backfill has not looked at it yet
        assertThat(v.dialect().toJobInfo(pending).expectedStart()).isEmpty();
        start.put("set", false).put("number", 1796188618L);
        assertThat(v.dialect().toJobInfo(pending).expectedStart()).isEmpty();
        start.put("set", true).put("infinite", true);
        assertThat(v.dialect().toJobInfo(pending).expectedStart()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(value = SlurmrestdApiVersion.class, names = {"V0_0_40", "V0_0_42"})
    void aCancelledJobHasEndedKilledBySigterm(SlurmrestdApiVersion v) throws Exception {
        JobInfo j = recordedJob(v, "job-after-cancel");
        assertThat(j.phase()).isEqualTo(JobPhase.ENDED);
        assertThat(j.state()).isEqualTo("CANCELLED");
        assertThat(j.exitCode()).contains(128 + 15); // status SIGNALED, signal TERM
    }

    @ParameterizedTest
    @EnumSource(value = SlurmrestdApiVersion.class, names = {"V0_0_40", "V0_0_41", "V0_0_42"})
    void everyJobOfARealListingIsRead(SlurmrestdApiVersion v) throws Exception {
        JsonNode jobs = recorded("slurm-" + v + "-jobs.json").path("jobs");
        List<JobInfo> read = new java.util.ArrayList<>();
        jobs.forEach(j -> read.add(v.dialect().toJobInfo(j)));
        assertThat(read).hasSize(jobs.size()).allSatisfy(j -> assertThat(j.state()).isIn("RUNNING", "CANCELLED"));
        assertThat(read.get(0)).satisfies(j -> {
            assertThat(j.name()).isEqualTo("sleeper");
            assertThat(j.phase()).isEqualTo(JobPhase.RUNNING);
        });
        assertThat(read).filteredOn(j -> j.user().equals("bob")).singleElement()
                .satisfies(j -> assertThat(j.phase()).isEqualTo(JobPhase.ENDED));
    }

    @Test
    void aStateListIsNamedAsSqueueNamesIt() throws Exception {
        SlurmrestdDialect d = dialect("v0.0.42");
        assertThat(d.toJobInfo(job("{\"job_state\": [\"RUNNING\", \"COMPLETING\"]}"))).satisfies(j -> {
            assertThat(j.state()).isEqualTo("COMPLETING");
            assertThat(j.phase()).isEqualTo(JobPhase.RUNNING); // not ended until Slurm says so
        });
        assertThat(d.toJobInfo(job("{\"job_state\": [\"CANCELLED\", \"COMPLETING\"]}")).state()).isEqualTo("COMPLETING");
        assertThat(d.toJobInfo(job("{\"job_state\": [\"PENDING\", \"REQUEUED\"]}")).phase()).isEqualTo(JobPhase.PENDING);
        assertThat(d.toJobInfo(job("{\"job_state\": [\"PENDING\"], \"batch_host\": \"\", \"state_reason\": \"Priority\"}")))
                .satisfies(j -> {
                    assertThat(j.phase()).isEqualTo(JobPhase.PENDING);
                    assertThat(j.reason()).contains("Priority");
                    assertThat(j.node()).isEmpty();
                });
        assertThat(d.toJobInfo(job("{\"job_state\": [\"TIMEOUT\"]}")).phase()).isEqualTo(JobPhase.ENDED);
        assertThat(d.toJobInfo(job("{\"job_state\": []}")).phase()).isEqualTo(JobPhase.RUNNING); // no evidence of an end
    }

    @Test
    void anExitCodeIsTheReturnCodeOrTheSignal() throws Exception {
        SlurmrestdDialect d = dialect("v0.0.40");
        assertThat(d.toJobInfo(job("{\"job_state\": [\"FAILED\"], \"exit_code\": {\"status\": [\"ERROR\"],"
                + " \"return_code\": {\"set\": true, \"infinite\": false, \"number\": 3},"
                + " \"signal\": {\"id\": {\"set\": false, \"infinite\": false, \"number\": 0}, \"name\": \"\"}}}"))
                .exitCode()).contains(3);
        assertThat(d.toJobInfo(job("{\"job_state\": [\"FAILED\"], \"exit_code\": {\"status\": [\"INVALID\"],"
                + " \"return_code\": {\"set\": false, \"infinite\": false, \"number\": 0}}}")).exitCode()).isEmpty();
    }

    @Test
    void unsetAndInfiniteNumbersAreNoNumber() throws Exception {
        assertThat(DataParserDialect.number(job("{\"set\": false, \"infinite\": true, \"number\": 0}"))).isEmpty();
        assertThat(DataParserDialect.number(job("{\"set\": true, \"infinite\": true, \"number\": 0}"))).isEmpty();
        assertThat(DataParserDialect.number(job("{\"set\": true, \"infinite\": false, \"number\": 10}"))).contains(10L);
        assertThat(dialect("v0.0.42").toJobInfo(job("{\"job_state\": [\"PENDING\"], \"submit_time\": "
                + "{\"set\": false, \"infinite\": false, \"number\": 0}}")).submittedAt()).isEmpty();
    }

    @Test
    void theRecordedPingIsUpAndAControllerThatDoesNotRespondIsDown() throws Exception {
        JsonNode ping = recorded("slurm-v0.0.42-ping.json");
        assertThat(dialect("v0.0.42").pings(ping))
                .containsExactly(new SlurmrestdDialect.ControllerPing("vm (primary)", true));
        ((com.fasterxml.jackson.databind.node.ObjectNode) ping.path("pings").get(0)).put("responding", false);
        assertThat(dialect("v0.0.42").pings(ping)).extracting(SlurmrestdDialect.ControllerPing::up).containsExactly(false);
        assertThat(dialect("v0.0.40").pings(job("{\"pings\": [{\"hostname\": \"c\", \"pinged\": \"DOWN\"}]}")))
                .extracting(SlurmrestdDialect.ControllerPing::up).containsExactly(false);
    }

    @Test
    void theRecordedCancelAnswersCarryNoFailure() throws Exception {
        assertThat(dialect("v0.0.42").cancelErrors(recorded("slurm-v0.0.42-cancel.json"))).isEmpty();
        assertThat(dialect("v0.0.40").cancelErrors(recorded("slurm-v0.0.40-cancel.json"))).isEmpty();
        assertThat(dialect("v0.0.42").cancelErrors(job("{\"status\": [{\"error\": {\"code\": 2021, \"string\": \"x\","
                + " \"message\": \"Job/step already completing or completed\"}, \"step_id\": \"\"}]}"))).containsExactly(2021);
    }
}
