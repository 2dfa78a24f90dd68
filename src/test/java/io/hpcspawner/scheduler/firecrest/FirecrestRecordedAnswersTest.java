package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.SystemHealth;
import io.hpcspawner.spawn.port.UserInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The answers of a real FirecREST v2 (2.5.7 in rest mode, against Slurm 24.11), recorded in
 * {@code src/test/resources/firecrest/recorded-v2/} (a copy of {@code shared/specs/recorded/firecrest-v2/}),
 * fed through the adapter's parsing: WireMock answers each call with the recorded status and body.
 * Each recorded exchange is also checked against the 2.5.6 document: where the real server and the
 * document differ, the test fixtures and the simulator follow the server.
 */
class FirecrestRecordedAnswersTest {

    static final String DIR = "/firecrest/recorded-v2/";
    static final List<String> FILES = List.of("01-status-systems.json", "02-status-userinfo.json",
            "03-compute-submit.json", "03b-compute-submit-bob.json", "04-compute-jobs.json",
            "05-compute-jobs-allusers-service-account.json", "06-compute-job.json", "07-filesystem-tail.json",
            "08-compute-cancel.json", "08b-compute-cancel-bob.json", "09-compute-job-after-cancel.json",
            "10-status-systems-service-account.json");
    static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();
    FirecrestV2Scheduler scheduler;

    static JsonNode recorded(String file) {
        try (InputStream in = FirecrestRecordedAnswersTest.class.getResourceAsStream(DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("missing recording " + file);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Answers the recording's method and path (any query) with its status and body. */
    static void replay(String file) {
        JsonNode r = recorded(file);
        URI url = URI.create(r.path("request").path("url").asText());
        // The recordings name the system "trixie"; the adapter here is set up for it too.
        JsonNode response = r.path("response");
        var answer = aResponse().withStatus(response.path("status").asInt());
        if (!response.path("body").isNull()) {
            answer.withHeader("Content-Type", "application/json").withBody(response.path("body").toString());
        }
        wm.stubFor(request(r.path("request").path("method").asText(), urlPathEqualTo(url.getPath())).willReturn(answer));
    }

    @BeforeEach
    void reset() {
        scheduler = new FirecrestV2Scheduler(URI.create(wm.baseUrl()), "trixie", FirecrestV2SchedulerTest.TOKENS,
                Duration.ofSeconds(5), new ObjectMapper());
    }

    @AfterEach
    void theAdaptersRequestsFollowTheSpec() {
        assertThat(SpecValidator.V2.problems(wm.getAllServeEvents(), List.of())).isEmpty();
    }

    static Stream<String> recordings() {
        return FILES.stream();
    }

    /** The real request and answer, as recorded, against the 2.5.6 document. */
    @ParameterizedTest
    @MethodSource("recordings")
    void eachRecordedExchangeFollowsTheDocument(String file) {
        JsonNode r = recorded(file);
        URI url = URI.create(r.path("request").path("url").asText());
        SimpleRequest.Builder req = new SimpleRequest.Builder(r.path("request").path("method").asText(), url.getPath())
                .withHeader("Authorization", "Bearer t");
        if (url.getQuery() != null) {
            for (String pair : url.getQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                req.withQueryParam(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        if (!r.path("request").path("body").isNull()) {
            req.withContentType("application/json").withBody(r.path("request").path("body").toString());
        }
        SimpleResponse.Builder res = SimpleResponse.Builder.status(r.path("response").path("status").asInt());
        if (!r.path("response").path("body").isNull()) {
            res.withContentType("application/json").withBody(r.path("response").path("body").toString());
        }
        String path = url.getPath();
        String method = r.path("request").path("method").asText();
        int status = r.path("response").path("status").asInt();
        List<String> unexplained = SpecValidator.V2.errors(req.build(), res.build()).stream()
                .filter(e -> SpecValidator.V2.differences().stream().noneMatch(d -> d.covers(method, path, status,
                        e.substring(0, e.indexOf(' ')), e.substring(e.indexOf(' ') + 1))))
                .toList();
        assertThat(unexplained).as(file).isEmpty();
    }

    @Test
    void theStandingDifferenceIsReal() {
        JsonNode r = recorded("01-status-systems.json");
        assertThat(r.path("response").path("body").path("systems").path(0).path("dataOperation").has("data_transfer"))
                .isTrue();
        assertThat(SpecValidator.V2.errors(SimpleRequest.Builder.get("/status/systems").withHeader("Authorization", "Bearer t")
                .build(), SimpleResponse.Builder.status(200).withContentType("application/json")
                .withBody(r.path("response").path("body").toString()).build()))
                .containsExactly("validation.response.body.schema.oneOf /systems/0/dataOperation/data_transfer");
    }

    @Test
    void systemsAnswerReadsAsHealthy() {
        replay("01-status-systems.json");
        SystemHealth health = scheduler.health();
        assertThat(health.state()).isEqualTo(SystemHealth.State.HEALTHY);
        assertThat(health.detail()).isEqualTo("3 services healthy at FirecREST's last check");

        wm.resetAll();
        replay("10-status-systems-service-account.json");
        assertThat(scheduler.health().state()).isEqualTo(SystemHealth.State.HEALTHY);
    }

    @Test
    void userInfoGivesTheDefaultAccount() {
        replay("02-status-userinfo.json");
        UserInfo info = scheduler.userInfo("alice");
        assertThat(info.name()).isEqualTo("alice");
        assertThat(info.defaultAccount()).contains("users");
        assertThat(info.accounts()).containsExactly("users");
    }

    @Test
    void submitReadsTheStringJobId() {
        replay("03-compute-submit.json");
        assertThat(scheduler.submit(submission("alice"))).isEqualTo("10");
        wm.resetAll();
        replay("03b-compute-submit-bob.json");
        assertThat(scheduler.submit(submission("bob"))).isEqualTo("11");
    }

    @Test
    void theUsersListingReadsRunningAndCancelledJobs() {
        replay("04-compute-jobs.json");
        List<JobInfo> jobs = scheduler.jobs(Set.of("1", "10", "2", "8"), null);
        Map<String, JobInfo> byId = new java.util.HashMap<>();
        jobs.forEach(j -> byId.put(j.id(), j));
        assertThat(byId).containsOnlyKeys("1", "10", "2", "8");
        JobInfo running = byId.get("10");
        assertThat(running.phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(running.state()).isEqualTo("RUNNING");
        assertThat(running.reason()).as("stateReason \"None\" is no reason").isEmpty();
        assertThat(running.node()).contains("trixie1");
        assertThat(running.user()).isEqualTo("alice");
        assertThat(running.exitCode()).isEmpty();
        // cancelled while running: killed by signal 15, so 128 + 15 as a shell reports it
        assertThat(byId.get("2").phase()).isEqualTo(JobPhase.ENDED);
        assertThat(byId.get("2").exitCode()).contains(143);
        // cancelled with exit code 0 and no signal recorded at the job's level
        assertThat(byId.get("8").state()).isEqualTo("CANCELLED");
        assertThat(byId.get("8").exitCode()).contains(0);

        assertThat(scheduler.jobs(Set.of(), "f7t-")).extracting(JobInfo::id).containsExactlyInAnyOrder("4", "5", "6", "10");
    }

    @Test
    void theServiceAccountsListingShowsEveryUsersJobs() {
        replay("05-compute-jobs-allusers-service-account.json");
        List<JobInfo> jobs = scheduler.jobs(Set.of("10", "11"), null);
        assertThat(jobs).extracting(JobInfo::user).containsExactlyInAnyOrder("alice", "bob");
        assertThat(jobs).allSatisfy(j -> assertThat(j.phase()).isEqualTo(JobPhase.RUNNING));
    }

    @Test
    void oneJobBeforeAndAfterItsCancel() {
        replay("06-compute-job.json");
        assertThat(scheduler.job("10")).hasValueSatisfying(j -> assertThat(j.phase()).isEqualTo(JobPhase.RUNNING));
        wm.resetAll();
        replay("08-compute-cancel.json");
        scheduler.cancel("10", "alice");
        wm.resetAll();
        replay("09-compute-job-after-cancel.json");
        Optional<JobInfo> after = scheduler.job("10");
        assertThat(after).hasValueSatisfying(j -> {
            assertThat(j.phase()).isEqualTo(JobPhase.ENDED);
            assertThat(j.state()).isEqualTo("CANCELLED");
        });
        wm.resetAll();
        replay("08b-compute-cancel-bob.json");
        scheduler.cancel("11", "bob");
    }

    /**
     * The recorded job answer turned pending (state, reason, no nodes, {@code time.start} the
     * estimate, or {@code start} as given): the body still follows the document, and only a pending
     * job's positive start is the scheduler's estimate.
     */
    @Test
    void aPendingJobsTimeStartIsTheSchedulersEstimate() {
        replay("06-compute-job.json");
        assertThat(scheduler.job("10")).hasValueSatisfying(j -> assertThat(j.expectedStart()).isEmpty());
        assertThat(pendingWithStart(JSON.getNodeFactory().numberNode(1796188618L)).expectedStart())
                .contains(Instant.parse("2026-12-02T05:16:58Z"));
        assertThat(pendingWithStart(JSON.getNodeFactory().numberNode(0)).expectedStart()).isEmpty();
        assertThat(pendingWithStart(JSON.getNodeFactory().nullNode()).expectedStart()).isEmpty();
    }

    private JobInfo pendingWithStart(JsonNode start) {
        JsonNode r = recorded("06-compute-job.json");
        ObjectNode job = (ObjectNode) r
                .path("response").path("body").path("jobs").get(0).deepCopy();
        ((ObjectNode) job.path("status")).put("state", "PENDING")
                .put("stateReason", "Priority");
        job.put("nodes", "").putArray("tasks");
        ((ObjectNode) job.path("time")).put("elapsed", 0).set("start", start);
        String body = JSON.createObjectNode().set("jobs", JSON.createArrayNode().add(job)).toString();
        assertThat(SpecValidator.V2.errors(new SimpleRequest.Builder("GET", "/compute/trixie/jobs/10")
                .withHeader("Authorization", "Bearer t").build(), SimpleResponse.Builder.status(200)
                .withContentType("application/json").withBody(body).build())).isEmpty();
        wm.resetAll();
        wm.stubFor(get(urlPathEqualTo("/compute/trixie/jobs/10")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body)));
        JobInfo j = scheduler.job("10").orElseThrow();
        assertThat(j.phase()).isEqualTo(JobPhase.PENDING);
        assertThat(j.reason()).contains("Priority");
        return j;
    }

    /**
     * The recorded all-users listing turned into a queue: four pending jobs of other users and one of
     * ours, in two partitions. Ours stands behind the jobs of its partition with a higher priority,
     * and behind the one of equal priority with the lower id (submitted earlier: JobModel has no
     * submit time); a job of another partition does not count.
     */
    @Test
    void theServiceAccountsListingTellsWhereAPendingJobStandsInItsPartitionsQueue() {
        JsonNode template = recorded("05-compute-jobs-allusers-service-account.json")
                .path("response").path("body").path("jobs").get(0);
        var list = JSON.createArrayNode();
        list.add(pending(template, "20", "other", "debug", 5000));
        list.add(pending(template, "21", "other", "debug", 100));
        list.add(pending(template, "22", "ours-1", "debug", 100));
        list.add(pending(template, "23", "other", "debug", 100));
        list.add(pending(template, "24", "other", "gpu", 9000));
        String body = JSON.createObjectNode().set("jobs", list).toString();
        assertThat(SpecValidator.V2.errors(new SimpleRequest.Builder("GET", "/compute/trixie/jobs")
                .withHeader("Authorization", "Bearer t").withQueryParam("allusers", "true").build(),
                SimpleResponse.Builder.status(200).withContentType("application/json").withBody(body).build())).isEmpty();
        wm.stubFor(get(urlPathEqualTo("/compute/trixie/jobs")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(body)));
        List<JobInfo> ours = scheduler.jobs(Set.of(), "ours-");
        assertThat(ours).singleElement().satisfies(j -> {
            assertThat(j.id()).isEqualTo("22");
            assertThat(j.queuePosition()).contains(3);
        });
    }

    private static JsonNode pending(JsonNode template, String id, String name, String partition, long priority) {
        ObjectNode job = template.deepCopy();
        job.put("jobId", id).put("name", name).put("partition", partition).put("priority", priority)
                .put("nodes", "").putArray("tasks");
        ((ObjectNode) job.path("status")).put("state", "PENDING").put("stateReason", "Priority");
        ((ObjectNode) job.path("time")).put("elapsed", 0).put("start", 0);
        return job;
    }

    @Test
    void theTailsContentIsTheOutput() {
        replay("07-filesystem-tail.json");
        String content = recorded("07-filesystem-tail.json").path("response").path("body").path("output")
                .path("content").asText();
        wm.stubFor(get(urlPathEqualTo("/filesystem/trixie/ops/stat")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(JobModelBodies.stat(content.getBytes(StandardCharsets.UTF_8).length))));
        assertThat(scheduler.tail("/home/alice/f7t-sleeper.out", "alice", 5)).isEqualTo(content)
                .startsWith("hello from 10 on vm\n");
    }

    private static JobSubmission submission(String user) {
        return new JobSubmission("f7t-sleeper", user, "#!/bin/bash\nsleep 300\n", "debug", 1, Optional.empty(), 10,
                Optional.empty(), "/home/" + user, "/home/" + user + "/out.log", Map.of("PATH", "/usr/bin:/bin"));
    }
}
