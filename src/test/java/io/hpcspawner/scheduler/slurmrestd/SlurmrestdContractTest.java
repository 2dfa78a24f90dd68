package io.hpcspawner.scheduler.slurmrestd;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.hpcspawner.credentials.SlurmTokenMinter;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SystemHealth;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Contract tests: every request the adapter sends in a server's life (submit with the profile's
 * sbatch options, listing, look-up, cancel, ping) and every answer the stand-in gives (recorded
 * from a real slurmrestd) validate against the OpenAPI document the real server serves: Slurm
 * 24.11's for v0.0.40/41/42, Slurm 22.05's for v0.0.38.
 */
class SlurmrestdContractTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> PROFILE_OPTIONS = List.of("--qos=high", "--constraint=gpu", "--gres=gpu:1",
            "--reservation=course", "--exclusive", "--nodes=1", "--gpus-per-node=1", "--mem-per-cpu=2G");

    @RegisterExtension
    static final WireMockExtension wiremock = standIn();

    /**
     * A slurmrestd stand-in for a test class: WireMock on a free loopback port, started before the
     * class's first test, emptied (stubs and journal) before each test, stopped after the last.
     */
    static WireMockExtension standIn() {
        return WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")).build();
    }

    static SlurmrestdScheduler adapter(Optional<SlurmrestdApiVersion> version) {
        return adapter(wiremock, version);
    }

    /** The adapter against a stand-in, speaking {@code version} or ({@code empty}) discovering it. */
    static SlurmrestdScheduler adapter(WireMockExtension standIn, Optional<SlurmrestdApiVersion> version) {
        return new SlurmrestdScheduler(URI.create(standIn.baseUrl()),
                new SlurmTokenMinter("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                        Duration.ofMinutes(5), Clock.systemUTC()),
                "slurm", Duration.ofSeconds(10), new OutputFiles(false), JSON, version);
    }

    static JobSubmission submission(List<String> options) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/");
        return new JobSubmission("hpcsp-abc-alice", "alice", "#!/bin/bash\nexec jupyterhub-singleuser\n", "debug", 2,
                Optional.of("4G"), 60, Optional.of("proj1"), "/home/alice", "/home/alice/.hpcspawner-hpcsp-abc-alice.log",
                env, options);
    }

    static void stub(String method, String path, int status, String body) {
        stub(wiremock, method, path, status, body);
    }

    /** Answers {@code method path} on {@code standIn} with {@code status} and the JSON {@code body}. */
    static void stub(WireMockExtension standIn, String method, String path, int status, String body) {
        standIn.stubFor(any(urlPathEqualTo(path)).withRequestBody(WireMock.absent().or(WireMock.matching("(?s).*")))
                .andMatching(r -> com.github.tomakehurst.wiremock.matching.MatchResult.of(r.getMethod().getName()
                        .equals(method)))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body)));
    }

    /** A recorded real answer of Slurm 24.11, or for a call not recorded in v0.0.41, v0.0.40's (same schema there). */
    static String recorded2411(SlurmrestdApiVersion v, String call) {
        String name = "/slurmrestd/slurm-24.11/slurm-" + v.wireName() + "-" + call + ".json";
        if (SlurmrestdContractTest.class.getResource(name) == null && v == SlurmrestdApiVersion.V0_0_41) {
            name = name.replace("v0.0.41", "v0.0.40");
        }
        return SlurmrestdSpecs.read(name);
    }

    /** The recorded v0.0.42 ping, shaped as v0.0.40/41 answer it (no responding, no primary). */
    static String ping(SlurmrestdApiVersion v) throws Exception {
        ObjectNode answer = (ObjectNode) JSON.readTree(recorded2411(SlurmrestdApiVersion.V0_0_42, "ping"));
        if (v != SlurmrestdApiVersion.V0_0_42) {
            answer.path("pings").forEach(p -> ((ObjectNode) p).remove(List.of("responding", "primary")));
        }
        return answer.toString();
    }

    @ParameterizedTest
    @EnumSource(value = SlurmrestdApiVersion.class, names = {"V0_0_40", "V0_0_41", "V0_0_42"})
    void aServersLifeMatchesTheSlurm2411Document(SlurmrestdApiVersion v) throws Exception {
        SlurmrestdDialect d = v.dialect();
        String jobs = recorded2411(v, "jobs");
        String jobId = v == SlurmrestdApiVersion.V0_0_42 ? "9" : "8";
        stub("POST", d.submitPath(), 200, recorded2411(v, "submit"));
        stub("GET", d.jobsPath(), 200, jobs);
        stub("GET", d.jobPath(jobId), 200, v == SlurmrestdApiVersion.V0_0_41 ? onlyJob(jobs, jobId)
                : recorded2411(v, "job"));
        stub("DELETE", d.jobPath(jobId), 200, recorded2411(v, "cancel"));
        stub("GET", d.pingPath(), 200, ping(v));
        stub("GET", d.partitionsPath(), 200, recorded2411(v, "partitions"));
        stub("GET", d.nodesPath(), 200, recorded2411(v, "nodes"));
        stub("GET", d.reservationsPath(), 200, recorded2411(v, "reservations"));
        SlurmrestdScheduler slurm = adapter(Optional.of(v));

        assertThat(slurm.submit(submission(PROFILE_OPTIONS))).isEqualTo(jobId);
        assertThat(slurm.jobs(Set.of(jobId), "hpcsp-")).singleElement()
                .satisfies(j -> assertThat(j.id()).isEqualTo(jobId));
        assertThat(slurm.job(jobId)).get().satisfies(j -> {
            assertThat(j.phase()).isIn(JobPhase.RUNNING, JobPhase.ENDED);
            assertThat(j.node()).contains("trixie1");
        });
        slurm.cancel(jobId, "alice");
        assertThat(slurm.health()).isEqualTo(SystemHealth.healthy("slurmctld vm (primary) UP (API " + v + ")"));
        // no time or node limit; the one node idle (GET nodes, counted per partition)
        assertThat(slurm.partitions()).containsExactly(new Partition("debug", "UP", 2, 1, 0, 0, 1, 0, 2, 0));
        assertThat(slurm.reservations()).isEmpty();

        assertThat(SlurmrestdSpecs.problems(SlurmrestdSpecs.validatorFor(v), wiremock.getAllServeEvents())).isEmpty();
        assertThat(wiremock.getAllServeEvents()).hasSize(8);
        JsonNode job = sentSubmit().path("job");
        assertThat(job.path("qos").asText()).isEqualTo("high");
        assertThat(job.path("constraints").asText()).isEqualTo("gpu");
        assertThat(job.path("reservation").asText()).isEqualTo("course");
        assertThat(job.path("tres_per_node").asText()).isEqualTo("gres/gpu:1,gres/gpu:1");
        assertThat(job.path("shared").toString()).isEqualTo("[\"none\"]");
        assertThat(job.path("minimum_nodes").asInt()).isEqualTo(1);
        assertThat(job.path("maximum_nodes").asInt()).isEqualTo(1);
        assertThat(job.path("memory_per_cpu").toString()).isEqualTo("{\"set\":true,\"infinite\":false,\"number\":2048}");
        assertThat(job.has("memory_per_node")).isFalse(); // --mem-per-cpu replaces the profile's memory (sbatch refuses both)
        assertThat(job.path("time_limit").toString()).isEqualTo("{\"set\":true,\"infinite\":false,\"number\":60}");
        assertThat(job.path("environment").toString())
                .isEqualTo("[\"PATH=/usr/local/bin:/usr/bin:/bin\",\"JUPYTERHUB_SERVICE_PREFIX=/user/alice/\"]");
    }

    @Test
    void theSlurm2205LifeMatchesItsDocumentWithTheSameOptions() throws Exception {
        SlurmrestdApiVersion v = SlurmrestdApiVersion.V0_0_38;
        SlurmrestdDialect d = v.dialect();
        stub("POST", d.submitPath(), 200, example("job-submit.json"));
        stub("GET", d.jobsPath(), 200, example("jobs.json"));
        stub("GET", d.jobPath("999999"), 500, example("error-job-not-found.json"));
        stub("DELETE", d.jobPath("1"), 200, example("job-cancel.json"));
        stub("GET", d.pingPath(), 200, example("ping.json"));
        SlurmrestdScheduler slurm = adapter(Optional.of(v));

        assertThat(slurm.submit(submission(PROFILE_OPTIONS))).isEqualTo("1");
        slurm.jobs(Set.of("1"), "hpcsp-");
        assertThat(slurm.job("999999")).isEmpty();
        slurm.cancel("1", "alice");
        assertThat(slurm.health().state()).isEqualTo(SystemHealth.State.HEALTHY);
        stub("GET", d.partitionsPath(), 200, example("partitions.json"));
        stub("GET", d.nodesPath(), 200, example("nodes.json"));
        stub("GET", d.reservationsPath(), 200, example("reservations.json"));
        // the one node runs a job on both CPUs: nothing idle
        assertThat(slurm.partitions()).containsExactly(new Partition("debug", "UP", 2, 1, 0, 0, 0, 1, 0, 2));
        assertThat(slurm.reservations()).isEmpty();

        assertThat(SlurmrestdSpecs.problems(SlurmrestdSpecs.validatorFor(v), wiremock.getAllServeEvents())).isEmpty();
        JsonNode job = sentSubmit().path("job");
        assertThat(job.path("qos").asText()).isEqualTo("high");
        assertThat(job.path("gres").asText()).isEqualTo("gpu:1");
        assertThat(job.path("gpus_per_node").asText()).isEqualTo("1");
        assertThat(job.path("exclusive").asText()).isEqualTo("true");
        assertThat(job.path("nodes").toString()).isEqualTo("[1,1]");
        assertThat(job.path("time_limit").asInt()).isEqualTo(60);
        assertThat(job.path("environment").path("PATH").asText()).isEqualTo("/usr/local/bin:/usr/bin:/bin");
    }

    @Test
    void warningsAreNotErrorsAndOnlySlurmsUnknownJobIsNoJob() throws Exception {
        SlurmrestdDialect d = SlurmrestdApiVersion.V0_0_42.dialect();
        ObjectNode jobs = (ObjectNode) JSON.readTree(recorded2411(SlurmrestdApiVersion.V0_0_42, "jobs"));
        jobs.putArray("warnings").addObject().put("description", "slurmdbd is not responding").put("source", "slurmctld");
        stub("GET", d.jobsPath(), 200, jobs.toString());
        stub("GET", d.jobPath("77"), 500, "{\"jobs\": [], \"last_backfill\": {}, \"last_update\": {}, \"errors\": ["
                + "{\"description\": \"Unable to find JobId=77\", \"error_number\": 2017, \"error\": \"Invalid job id specified\","
                + " \"source\": \"_handle_job_get()\"}], \"warnings\": []}");
        stub("GET", d.jobPath("78"), 500, "{\"jobs\": [], \"last_backfill\": {}, \"last_update\": {}, \"errors\": ["
                + "{\"description\": \"Zero Bytes were transmitted or received\", \"error_number\": 1007,"
                + " \"error\": \"Protocol authentication error\"}], \"warnings\": []}");
        SlurmrestdScheduler slurm = adapter(Optional.of(SlurmrestdApiVersion.V0_0_42));

        assertThat(slurm.jobs(Set.of("9"), "hpcsp-")).hasSize(1);
        assertThat(slurm.job("77")).isEmpty();
        assertThatThrownBy(() -> slurm.job("78")).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("Slurm error 1007");
        assertThat(SlurmrestdSpecs.problems(SlurmrestdSpecs.validatorFor(SlurmrestdApiVersion.V0_0_42),
                wiremock.getAllServeEvents())).isEmpty();
    }

    @Test
    void aV0042CancelReadsItsPerJobStatus() throws Exception {
        SlurmrestdDialect d = SlurmrestdApiVersion.V0_0_42.dialect();
        String done = cancelStatus(2021, "Job/step already completing or completed");
        String refused = cancelStatus(1, "Access/permission denied");
        stub("DELETE", d.jobPath("9"), 200, done);
        stub("DELETE", d.jobPath("10"), 200, refused);
        SlurmrestdScheduler slurm = adapter(Optional.of(SlurmrestdApiVersion.V0_0_42));

        slurm.cancel("9", "alice"); // already ended: nothing to cancel
        assertThatThrownBy(() -> slurm.cancel("10", "alice")).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("job 10 was not cancelled (Slurm error 1)")
                .matches(e -> !((SchedulerException) e).isTransient(), "not transient");
        assertThat(SlurmrestdSpecs.problems(SlurmrestdSpecs.validatorFor(SlurmrestdApiVersion.V0_0_42),
                wiremock.getAllServeEvents())).isEmpty();
    }

    /**
     * Real Slurm 24.11 answers recorded by hand through this adapter (slurm-24.11/*.404.json,
     * *.500.json, cancel-ended): an unknown job is HTTP 404 with error 2017; a second cancel is
     * HTTP 200 with error 2021 in status[]; a refused submit is HTTP 500 whose errors[] says why
     * in "error" beneath a general "description".
     */
    @Test
    void realAnswersOfUnknownJobsSecondCancelsAndRefusedSubmits() throws Exception {
        SlurmrestdApiVersion v = SlurmrestdApiVersion.V0_0_42;
        SlurmrestdDialect d = v.dialect();
        stub("GET", d.jobPath("999999"), 404, recorded2411(v, "job-unknown.404"));
        stub("DELETE", d.jobPath("10"), 200, recorded2411(v, "cancel-ended"));
        stub("POST", d.submitPath(), 500, recorded2411(v, "submit-bad-constraint.500"));
        SlurmrestdScheduler slurm = adapter(Optional.of(v));

        assertThat(slurm.job("999999")).isEmpty();
        slurm.cancel("10", "alice");
        assertThatThrownBy(() -> slurm.submit(submission(List.of("--constraint=gpu"))))
                .isInstanceOf(SchedulerException.class)
                .hasMessageEndingWith("Batch job submission failed: Invalid feature specification (Slurm error 2029)")
                .matches(e -> !((SchedulerException) e).isTransient(), "not transient");
        assertThat(SlurmrestdSpecs.problems(SlurmrestdSpecs.validatorFor(v), wiremock.getAllServeEvents())).isEmpty();
    }

    static String cancelStatus(int code, String message) {
        return "{\"status\": [{\"error\": {\"string\": \"" + message + "\", \"code\": " + code + ", \"message\": \""
                + message + "\"}, \"step_id\": \"batch\", \"job_id\": {\"set\": true, \"infinite\": false, \"number\": 9},"
                + " \"federation\": {\"sibling\": \"\"}}], \"errors\": [], \"warnings\": []}";
    }

    /** The validator has teeth: a v0.0.38 body sent to v0.0.42 fails on its plain integers and environment map. */
    @Test
    void aV0038BodyDoesNotPassAsV0042() {
        String body = SlurmrestdApiVersion.V0_0_38.dialect().submitBody(submission(List.of()), JSON).toString();
        assertThat(SlurmrestdSpecs.requestProblems(SlurmrestdSpecs.validatorFor(SlurmrestdApiVersion.V0_0_42), "POST",
                "/slurm/v0.0.42/job/submit", body)).isNotEmpty();
        String good = SlurmrestdApiVersion.V0_0_42.dialect().submitBody(submission(PROFILE_OPTIONS), JSON).toString();
        assertThat(SlurmrestdSpecs.requestProblems(SlurmrestdSpecs.validatorFor(SlurmrestdApiVersion.V0_0_42), "POST",
                "/slurm/v0.0.42/job/submit", good)).isEmpty();
    }

    static JsonNode sentSubmit() throws Exception {
        return JSON.readTree(wiremock.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().endsWith("/job/submit")).findFirst().orElseThrow()
                .getRequest().getBodyAsString());
    }

    static String onlyJob(String listing, String jobId) throws Exception {
        ObjectNode answer = (ObjectNode) JSON.readTree(listing);
        var kept = JSON.createArrayNode();
        answer.path("jobs").forEach(j -> {
            if (j.path("job_id").asText().equals(jobId)) {
                kept.add(j);
            }
        });
        answer.set("jobs", kept);
        return answer.toString();
    }

    static String example(String file) throws Exception {
        return JSON.readTree(SlurmrestdSpecs.read("/slurmrestd/" + file)).path("response").toString();
    }
}
