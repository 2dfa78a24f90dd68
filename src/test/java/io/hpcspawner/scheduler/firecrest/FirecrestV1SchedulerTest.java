package io.hpcspawner.scheduler.firecrest;

import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.created;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.error;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.listing;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.output;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.row;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.submitted;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.task;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.tasks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.UserInfo;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The FirecREST v1 adapter against a WireMock FirecREST v1. After each test every request the
 * adapter sent and every response stubbed for it is checked against the published v1 OpenAPI
 * document ({@link SpecValidator#V1}, with the standing differences of {@link V1Differences});
 * anything a single test needs beyond those is excused in that test.
 */
class FirecrestV1SchedulerTest {

    static final String USER_TOKEN = FirecrestV2SchedulerTest.USER_TOKEN;
    static final String SERVICE_TOKEN = FirecrestV2SchedulerTest.SERVICE_TOKEN;
    static final String UPLOAD = "/compute/jobs/upload";
    static final String JOBS = "/compute/jobs";
    static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** The same fixed tokens as the v2 tests. */
    static final AccessTokens TOKENS = FirecrestV2SchedulerTest.TOKENS;

    /** Fast pacing for tests: the bound is what matters, not the pauses. */
    static final V1Tasks.Pacing PACING = new V1Tasks.Pacing(Duration.ofMillis(5), Duration.ofMillis(20),
            Duration.ofSeconds(2));

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    final List<SpecValidator.Excuse> excuses = new ArrayList<>();
    FirecrestV1Scheduler scheduler;

    @BeforeEach
    void reset() {
        scheduler = new FirecrestV1Scheduler(URI.create(wm.baseUrl() + "/"), "daint", TOKENS, Duration.ofSeconds(5),
                PACING, new ObjectMapper());
    }

    @AfterEach
    void everyExchangeFollowsTheSpec() {
        assertThat(SpecValidator.V1.problems(wm.getAllServeEvents(), excuses)).isEmpty();
        // Every call names the system.
        assertThat(wm.getAllServeEvents()).filteredOn(e -> !e.getRequest().getUrl().startsWith("/tasks"))
                .allSatisfy(e -> assertThat(e.getRequest().getHeader("X-Machine-Name")).isEqualTo("daint"));
    }


    /** The task answers in order (the last one repeats): queued, in progress, done... */
    static void taskAnswers(String taskId, String token, ObjectNode... answers) {
        String state = Scenario.STARTED;
        for (int i = 0; i < answers.length; i++) {
            var m = get(urlPathEqualTo("/tasks")).withQueryParam("tasks", equalTo(taskId))
                    .withHeader("Authorization", equalTo("Bearer " + token))
                    .inScenario("task " + taskId).whenScenarioStateIs(state);
            if (i < answers.length - 1) {
                state = "answer " + (i + 1);
                wm.stubFor(m.willSetStateTo(state).willReturn(json(200, tasks(answers[i]))));
            } else {
                wm.stubFor(m.willReturn(json(200, tasks(answers[i]))));
            }
        }
    }

    static JobSubmission submission(Map<String, String> env) {
        return new JobSubmission("hpcspawner-alice-default", "alice", "#!/bin/bash\n#SBATCH --job-name=hpcspawner-alice-default\n"
                + "#SBATCH --output=/users/alice/.hpcspawner/default.log\n#\n# rendered\nhpcsp_bind=0.0.0.0\nexec jupyterhub-singleuser\n",
                "normal", 4, Optional.of("8G"), 120, Optional.of("csstaff"), "/users/alice/work dir", "/users/alice/.hpcspawner/default.log",
                env);
    }

    static JobSubmission submission() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JUPYTERHUB_API_TOKEN", "secret-hub-token");
        env.put("HPCSPAWNER_B64_JUPYTERHUB_OAUTH_SCOPES", "WyJhY2Nlc3M6c2VydmVycyJd");
        return submission(env);
    }

    static Map<String, String> multipart(ServeEvent e) {
        Map<String, String> parts = new LinkedHashMap<>();
        e.getRequest().getParts().forEach(p -> parts.put(p.getName(), p.getBody().asString()));
        return parts;
    }

    static Map<String, String> env(Map<String, String> parts) throws Exception {
        JsonNode env = new ObjectMapper().readTree(parts.get("env"));
        Map<String, String> m = new LinkedHashMap<>();
        env.fields().forEachRemaining(f -> m.put(f.getKey(), f.getValue().asText()));
        return m;
    }

    void stubSubmit(ObjectNode... answers) {
        wm.stubFor(post(UPLOAD).willReturn(json(201, created("t1"))));
        taskAnswers("t1", USER_TOKEN + "alice", answers);
    }

    // ---------------------------------------------------------------- submit

    @Test
    void submitUploadsTheScriptOnceAndReadsTheJobIdFromItsTask() throws Exception {
        stubSubmit(task("t1", "100", F.objectNode()), task("t1", "101", F.objectNode()),
                task("t1", "200", submitted("4242")));

        String id = scheduler.submit(submission());

        assertThat(id).isEqualTo("4242");
        List<ServeEvent> uploads = wm.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(UPLOAD)).toList();
        assertThat(uploads).hasSize(1);
        ServeEvent upload = uploads.get(0);
        assertThat(upload.getRequest().getHeader("Authorization")).isEqualTo("Bearer " + USER_TOKEN + "alice");
        assertThat(upload.getRequest().getHeader("Content-Type")).startsWith("multipart/form-data; boundary=");
        Map<String, String> parts = multipart(upload);
        assertThat(parts).containsOnlyKeys("file", "account", "env");
        assertThat(parts.get("account")).isEqualTo("csstaff");
        // v1 runs sbatch --chdir=<its task directory>: the script changes to the working directory itself,
        // after the #SBATCH block, which sbatch reads only up to the first command.
        assertThat(parts.get("file")).isEqualTo("#!/bin/bash\n#SBATCH --job-name=hpcspawner-alice-default\n"
                + "#SBATCH --output=/users/alice/.hpcspawner/default.log\n#\n# rendered\n"
                + "cd '/users/alice/work dir' || exit 1\nhpcsp_bind=0.0.0.0\nexec jupyterhub-singleuser\n");
        assertThat(upload.getRequest().getPart("file").getHeaders().getHeader("Content-Disposition").firstValue())
                .contains("filename=\"hpcspawner-alice-default.sh\"");
        assertThat(env(parts)).containsExactly(Map.entry("JUPYTERHUB_API_TOKEN", "secret-hub-token"),
                Map.entry("HPCSPAWNER_B64_JUPYTERHUB_OAUTH_SCOPES", "WyJhY2Nlc3M6c2VydmVycyJd"));
    }

    @Test
    void valuesTheV1TransportWouldBreakTravelBase64Encoded() throws Exception {
        stubSubmit(task("t1", "200", submitted("7")));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PLAIN", "http://hub:8081/hub/api");
        env.put("WITH_COMMA", "a,b");
        env.put("WITH_PIPE", "x|y;z(1)&");

        scheduler.submit(submission(env));

        Map<String, String> sent = env(multipart(wm.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals(UPLOAD)).findFirst().orElseThrow()));
        assertThat(sent).containsEntry("PLAIN", "http://hub:8081/hub/api").doesNotContainKeys("WITH_COMMA", "WITH_PIPE");
        assertThat(new String(Base64.getDecoder().decode(sent.get("HPCSPAWNER_B64_WITH_COMMA")))).isEqualTo("a,b");
        assertThat(new String(Base64.getDecoder().decode(sent.get("HPCSPAWNER_B64_WITH_PIPE")))).isEqualTo("x|y;z(1)&");
    }

    @Test
    void submitWithoutAccountOrEnvironmentSendsOnlyTheFile() {
        stubSubmit(task("t1", "200", submitted("8")));
        JobSubmission s = submission(Map.of());
        s = new JobSubmission(s.name(), s.user(), s.script(), s.partition(), s.cpus(), s.memory(), s.timeLimitMinutes(),
                Optional.empty(), s.workingDirectory(), s.outputPath(), Map.of());

        assertThat(scheduler.submit(s)).isEqualTo("8");

        assertThat(multipart(wm.getAllServeEvents().stream().filter(e -> e.getRequest().getUrl().equals(UPLOAD))
                .findFirst().orElseThrow())).containsOnlyKeys("file");
    }

    @Test
    void aNumericJobIdIsReadToo() {
        excuses.add(new SpecValidator.Excuse("validation.response.body.tasks.t1.schema.type", "/data/jobid",
                "some FirecREST versions write the job id as a number; the spec says string"));
        ObjectNode data = submitted("0");
        data.set("jobid", IntNode.valueOf(4243));
        stubSubmit(task("t1", "200", data));

        assertThat(scheduler.submit(submission())).isEqualTo("4243");
    }

    @Test
    void aRefusedSubmitIsNotTransientAndSaysWhy() {
        stubSubmit(task("t1", "400",
                "sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified"));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.submit(submission()));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("could not submit job hpcspawner-alice-default")
                .hasMessageContaining("Invalid account or account/partition combination specified")
                .hasMessageNotContaining("secret-hub-token").hasMessageNotContaining(USER_TOKEN);
        wm.verify(1, postRequestedFor(urlPathEqualTo(UPLOAD)));
    }

    @Test
    void aSubmitTaskThatNeverFinishesIsTransientAndIsNotSentAgain() {
        stubSubmit(task("t1", "101", F.objectNode()));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.submit(submission()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("task t1").hasMessageContaining("may be queued")
                .hasMessageContaining("in progress").hasMessageContaining("did not finish within 2 s");
        wm.verify(1, postRequestedFor(urlPathEqualTo(UPLOAD)));
    }

    @Test
    void aSuccessfulSubmitTaskWithoutJobIdIsTransient() {
        ObjectNode data = submitted("x");
        data.remove("jobid");
        stubSubmit(task("t1", "200", data));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.submit(submission()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("no jobid");
        wm.verify(1, postRequestedFor(urlPathEqualTo(UPLOAD)));
    }

    @Test
    void anUnknownSystemIsNotTransientAndSaysWhatToCheck() {
        // compute spells this header with an extra "s".
        wm.stubFor(post(UPLOAD).willReturn(json(400, error("Error submitting job", "Machine does not exist"))
                .withHeader("X-Machine-Does-Not-Exists", "Machine does not exist")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.submit(submission()));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("X-Machine-Does-Not-Exists")
                .hasMessageContaining("check the system name configured for this cluster");
    }

    @Test
    void aSystemInMaintenanceIsTransient() {
        wm.stubFor(post(UPLOAD).willReturn(json(400, error("Error submitting job", "Machine is not available"))
                .withHeader("X-Machine-Not-Available", "Machine is not available")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.submit(submission()));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("down or in maintenance");
    }

    @Test
    void noPermissionOnTheSystemIsNotTransient() {
        // compute answers this one with 404 (a standing difference from the spec).
        wm.stubFor(post(UPLOAD).willReturn(json(404, error("Error submitting job",
                "User does not have permissions to access machine"))
                .withHeader("X-Permission-Denied", "User does not have permissions to access machine")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.submit(submission()));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("HTTP 404").hasMessageContaining("X-Permission-Denied")
                .hasMessageContaining("ask the site's support for access");
    }

    // ---------------------------------------------------------------- jobs

    void stubListing(ObjectNode... answers) {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, created("q1"))));
        taskAnswers("q1", SERVICE_TOKEN, answers);
    }

    @Test
    void knownIdsGoAsOneCommaSeparatedValueWithoutUserFilter() {
        stubListing(task("q1", "100", F.objectNode()), task("q1", "200", listing(
                row("101", "hpcspawner-a", "alice", "RUNNING", "nid[001-003,007]"),
                row("102", "hpcspawner-b", "bob", "PENDING", "(Priority)"),
                row("103", "hpcspawner-c", "carol", "PENDING", ""),
                row("104", "hpcspawner-d", "dave", "COMPLETING", "nid0042"),
                row("105", "hpcspawner-e", "erin", "CANCELLED", "nid0043"),
                row("106", "hpcspawner-f", "frank", "PENDING", "(None assigned)"))));

        Map<String, JobInfo> byId = scheduler.jobs(Set.of("106", "105", "104", "103", "102", "101", "199"), null).stream()
                .collect(Collectors.toMap(JobInfo::id, Function.identity()));

        wm.verify(1, getRequestedFor(urlPathEqualTo(JOBS)).withQueryParam("jobs", equalTo("101,102,103,104,105,106,199"))
                .withQueryParam("userJobs", equalTo("false"))
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN)));
        assertThat(wm.getAllServeEvents().get(wm.getAllServeEvents().size() - 1).getRequest().getQueryParams()
                .get("jobs").values()).hasSize(1);
        assertThat(byId.get("101")).isEqualTo(new JobInfo("101", "hpcspawner-a", "alice", JobPhase.RUNNING, "RUNNING",
                Optional.empty(), Optional.of("nid001"), Optional.empty()));
        assertThat(byId.get("102")).isEqualTo(new JobInfo("102", "hpcspawner-b", "bob", JobPhase.PENDING, "PENDING",
                Optional.of("Priority"), Optional.empty(), Optional.empty()));
        assertThat(byId.get("103").node()).isEmpty();
        assertThat(byId.get("103").reason()).isEmpty();
        assertThat(byId.get("104").phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(byId.get("104").node()).contains("nid0042");
        assertThat(byId.get("105").phase()).isEqualTo(JobPhase.ENDED);
        assertThat(byId.get("106").node()).isEmpty();
        assertThat(byId.get("106").reason()).contains("None assigned");
        assertThat(byId).doesNotContainKey("199");
    }

    @Test
    void aNamePrefixListsTheQueueOnceAndFiltersHere() {
        List<ObjectNode> rows = new ArrayList<>();
        IntStream.range(0, 100).forEach(i -> rows.add(row(Integer.toString(5000 + i), "hpcspawner-user" + i + "-default",
                "user" + i, "RUNNING", "nid[" + String.format("%04d", i) + "-" + String.format("%04d", i + 1) + "]")));
        rows.add(row("9001", "not-ours", "bob", "RUNNING", "nid9001"));
        rows.add(row("9002", "hpcspawner-orphan", "carol", "PENDING", "(Resources)"));
        stubListing(task("q1", "200", listing(rows.toArray(ObjectNode[]::new))));
        Set<String> ids = IntStream.range(0, 100).mapToObj(i -> Integer.toString(5000 + i)).collect(Collectors.toSet());

        List<JobInfo> found = scheduler.jobs(ids, "hpcspawner-");

        assertThat(found).hasSize(101).extracting(JobInfo::id).contains("5000", "5099", "9002").doesNotContain("9001");
        assertThat(found).filteredOn(j -> j.id().equals("5042")).singleElement().extracting(JobInfo::node)
                .isEqualTo(Optional.of("nid0042"));
        // One compute call and one task poll for a hundred servers.
        assertThat(wm.getAllServeEvents()).hasSize(2);
        wm.verify(getRequestedFor(urlPathEqualTo(JOBS)).withQueryParam("jobs", absent())
                .withQueryParam("userJobs", equalTo("false")));
    }

    @Test
    void anEmptyQueueIsAnEmptyObject() {
        stubListing(task("q1", "200", F.objectNode()));

        assertThat(scheduler.jobs(Set.of("1"), null)).isEmpty();
    }

    @Test
    void aFailedStatusQueryIsTransientAndNeverMeansGone() {
        stubListing(task("q1", "400", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)"));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("could not list the jobs on daint")
                .hasMessageContaining("Unable to contact slurm controller");
    }

    @Test
    void aRateLimitedPollIsWaitedOut() {
        excuses.add(new SpecValidator.Excuse("validation.response.status.unknown", "",
                "the gateway (Kong) answers 429 on any route; the spec does not list it"));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, created("q1"))));
        wm.stubFor(get(urlPathEqualTo("/tasks")).inScenario("rate").whenScenarioStateIs(Scenario.STARTED)
                .willSetStateTo("ok").willReturn(json(429, "{\"message\":\"API rate limit exceeded\"}")
                        .withHeader("Retry-After", "1")));
        wm.stubFor(get(urlPathEqualTo("/tasks")).inScenario("rate").whenScenarioStateIs("ok")
                .willReturn(json(200, tasks(task("q1", "200", listing(row("1", "hpcspawner-a", "a", "RUNNING", "nid1")))))));

        assertThat(scheduler.jobs(Set.of("1"), null)).singleElement().extracting(JobInfo::node)
                .isEqualTo(Optional.of("nid1"));
    }

    @Test
    void askingForNothingCallsNothing() {
        assertThat(scheduler.jobs(Set.of(), null)).isEmpty();
        assertThat(scheduler.jobs(Set.of("not-a-v1-id"), null)).isEmpty();
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    @Test
    void anExpiredTokenIsNotTransientAndCarriesTheServersWords() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(401, "{\"description\":\"JWT token has expired\"}")));
        excuses.add(new SpecValidator.Excuse("validation.response.status.unknown", "",
                "every v1 service answers 401 for a bad token; the spec does not list it"));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("HTTP 401").hasMessageContaining("JWT token has expired")
                .hasMessageNotContaining(SERVICE_TOKEN);
    }

    @Test
    void aSlowAnswerTimesOutAsTransient() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, created("q1")).withFixedDelay(1500)));
        FirecrestV1Scheduler impatient = new FirecrestV1Scheduler(URI.create(wm.baseUrl()), "daint", TOKENS,
                Duration.ofMillis(300), PACING, new ObjectMapper());

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> impatient.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("timed out");
    }

    // ---------------------------------------------------------------- cancel

    void stubCancel(ObjectNode... answers) {
        wm.stubFor(delete(JOBS + "/4242").willReturn(json(200, created("c1"))));
        taskAnswers("c1", USER_TOKEN + "alice", answers);
    }

    @Test
    void cancelDeletesAsTheUserAndWaitsForScancel() {
        stubCancel(task("c1", "101", F.objectNode()), task("c1", "200", "scancel: Terminating job 4242"));

        scheduler.cancel("4242", "alice");

        assertThat(wm.getAllServeEvents()).filteredOn(e -> e.getRequest().getMethod().getName().equals("DELETE"))
                .singleElement().satisfies(e -> assertThat(e.getRequest().getHeader("Authorization"))
                        .isEqualTo("Bearer " + USER_TOKEN + "alice"));
    }

    @Test
    void cancellingAJobThatAlreadyEndedSucceeds() {
        stubCancel(task("c1", "400",
                "scancel: error: Kill job error on job id 4242: Job/step already completing or completed"));

        scheduler.cancel("4242", "alice");

        wm.verify(0, getRequestedFor(urlPathEqualTo(JOBS)));
    }

    @Test
    void aFailedCancelOfAJobThatIsGoneCountsAsCancelled() {
        stubCancel(task("c1", "400", "Machine is not available"));
        stubListing(task("q1", "200", F.objectNode()));

        scheduler.cancel("4242", "alice");
    }

    @Test
    void aRefusedCancelOfARunningJobIsNotTransient() {
        stubCancel(task("c1", "400", "User does not have permission to cancel job"));
        stubListing(task("q1", "200", listing(row("4242", "hpcspawner-bob", "bob", "RUNNING", "nid1"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.cancel("4242", "alice"));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("could not cancel job 4242 on daint")
                .hasMessageContaining("User does not have permission to cancel job");
    }

    // ---------------------------------------------------------------- files

    @Test
    void tailReadsTheLastLinesAsTheUser() {
        wm.stubFor(get(urlPathEqualTo("/utilities/tail")).willReturn(json(200,
                output("Success to tail file.", "starting\nHPCSPAWNER_READY host=nid001 port=51234\n"))));

        String out = scheduler.tail("/users/alice/.hpcspawner/my server.log", "alice", 2);

        assertThat(out).isEqualTo("starting\nHPCSPAWNER_READY host=nid001 port=51234\n");
        wm.verify(getRequestedFor(urlPathEqualTo("/utilities/tail"))
                .withQueryParam("targetPath", equalTo("/users/alice/.hpcspawner/my server.log"))
                .withQueryParam("lines", equalTo("2"))
                .withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice")));
    }

    @Test
    void headReadsTheFirstLines() {
        wm.stubFor(get(urlPathEqualTo("/utilities/head")).willReturn(json(200, output("Success to head file.", "10.0.3.7\n"))));

        assertThat(scheduler.head("/users/alice/out.log", "alice", 1)).isEqualTo("10.0.3.7\n");
        wm.verify(getRequestedFor(urlPathEqualTo("/utilities/head")).withQueryParam("lines", equalTo("1")));
    }

    @Test
    void aFileNotWrittenYetReadsAsEmpty() {
        wm.stubFor(get(urlPathEqualTo("/utilities/tail")).willReturn(json(400, error("Error on tail operation",
                "/users/alice/out.log is invalid.")).withHeader("X-Invalid-Path", "/users/alice/out.log is invalid.")));

        assertThat(scheduler.tail("/users/alice/out.log", "alice", 20)).isEmpty();
    }

    @Test
    void aForbiddenFileIsNotTransient() {
        wm.stubFor(get(urlPathEqualTo("/utilities/tail")).willReturn(json(400, error("Error on tail operation",
                "Permission denied")).withHeader("X-Permission-Denied", "User does not have permissions to access path")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class,
                () -> scheduler.tail("/users/bob/out.log", "alice", 20));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("User does not have permissions to access path");
    }

    @Test
    void aCommandTimeoutIsTransient() {
        wm.stubFor(get(urlPathEqualTo("/utilities/head")).willReturn(json(400, error("Error on head operation",
                "Command has finished with timeout signal")).withHeader("X-Timeout", "Command has finished with timeout signal")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class,
                () -> scheduler.head("/users/alice/out.log", "alice", 1));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("timed out");
    }

    // ---------------------------------------------------------------- partitions, user

    @Test
    void partitionsComeFromScontrolThroughATask() {
        wm.stubFor(get(urlPathEqualTo("/compute/partitions")).willReturn(json(200, created("p1"))));
        ObjectNode normal = F.objectNode().put("PartitionName", "normal").put("State", "UP").put("TotalCPUs", "1536")
                .put("TotalNodes", "12").put("Default", "YES");
        ObjectNode debug = F.objectNode().put("PartitionName", "debug").put("State", "DOWN").put("TotalCPUs", "128")
                .put("TotalNodes", "1").put("Default", "NO");
        taskAnswers("p1", SERVICE_TOKEN, task("p1", "200", F.arrayNode().add(normal).add(debug)));

        assertThat(scheduler.partitions()).containsExactly(new Partition("normal", "UP", 1536, 12),
                new Partition("debug", "DOWN", 128, 1));
    }

    @Test
    void reservationsComeFromScontrolThroughATaskWithWhoMayUseThem() {
        wm.stubFor(get(urlPathEqualTo("/compute/reservations")).willReturn(json(200, created("r1"))));
        ObjectNode course = F.objectNode().put("reservationname", "course").put("starttime", "2026-12-03T10:00:00")
                .put("endtime", "2026-12-03T12:00:00").put("duration", "02:00:00").put("nodes", "nid[001-004]")
                .put("nodecnt", "4").put("partitionname", "normal").put("users", "alice,bob").put("accounts", "")
                .put("state", "INACTIVE");
        ObjectNode any = F.objectNode().put("reservationname", "maint").put("starttime", "2026-12-04T00:00:00")
                .put("endtime", "2026-12-04T06:00:00").put("partitionname", "(null)").put("users", "")
                .put("accounts", "proj1").put("state", "INACTIVE");
        taskAnswers("r1", SERVICE_TOKEN, task("r1", "200", F.arrayNode().add(course).add(any)));
        java.time.ZoneId zone = java.time.ZoneId.systemDefault();

        assertThat(scheduler.reservations()).containsExactly(
                new Reservation("course", Optional.of("normal"),
                        java.time.LocalDateTime.parse("2026-12-03T10:00:00").atZone(zone).toInstant(),
                        java.time.LocalDateTime.parse("2026-12-03T12:00:00").atZone(zone).toInstant(),
                        Optional.of(List.of("alice", "bob")), Optional.of(List.of())),
                new Reservation("maint", Optional.empty(),
                        java.time.LocalDateTime.parse("2026-12-04T00:00:00").atZone(zone).toInstant(),
                        java.time.LocalDateTime.parse("2026-12-04T06:00:00").atZone(zone).toInstant(),
                        Optional.of(List.of()), Optional.of(List.of("proj1"))));
    }

    @Test
    void userInfoTakesThePrimaryGroupAsDefaultAccount() {
        wm.stubFor(get(urlPathEqualTo("/utilities/whoami")).willReturn(json(200, """
                {"description": "User information", "output": {"user": {"name": "alice", "id": "21512"},
                 "group": {"name": "csstaff", "id": "1000"},
                 "groups": [{"name": "csstaff", "id": "1000"}, {"name": "g123", "id": "31021"}]}}""")));

        UserInfo info = scheduler.userInfo("alice");

        assertThat(info).isEqualTo(new UserInfo("alice", Optional.of("csstaff"), List.of()));
        wm.verify(getRequestedFor(urlPathEqualTo("/utilities/whoami")).withQueryParam("groups", equalTo("true"))
                .withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice")));
    }
}
