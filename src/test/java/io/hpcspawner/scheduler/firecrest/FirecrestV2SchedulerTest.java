package io.hpcspawner.scheduler.firecrest;

import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.error;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.fileContent;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.job;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.jobs;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.validationError;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.withNodes;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.withStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SystemHealth;
import io.hpcspawner.spawn.port.UserInfo;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The FirecREST v2 adapter against a WireMock FirecREST. After each test every request the
 * adapter sent and every response stubbed for it is checked against the published OpenAPI
 * document ({@link SpecValidator}); known spec-vs-code differences are excused one by one.
 */
class FirecrestV2SchedulerTest {

    static final String USER_TOKEN = "user-token-";
    static final String SERVICE_TOKEN = "service-token";
    static final String JOBS = "/compute/daint/jobs";

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    final List<SpecValidator.Excuse> excuses = new ArrayList<>();
    FirecrestV2Scheduler scheduler;

    /** Fixed tokens: {@code user-token-<user>} for a user, {@code service-token} for the service. */
    static final AccessTokens TOKENS = new AccessTokens() {
        @Override
        public String forUser(String user) {
            return USER_TOKEN + user;
        }

        @Override
        public String forService() {
            return SERVICE_TOKEN;
        }

        @Override
        public String renewedForUser(String user, String refused) {
            return forUser(user);
        }

        @Override
        public String renewedForService(String refused) {
            return forService();
        }
    };

    @BeforeEach
    void reset() {
        // Upper case on purpose: FirecREST stores system names in lower case and compares exactly.
        scheduler = new FirecrestV2Scheduler(URI.create(wm.baseUrl() + "/"), "Daint", TOKENS, Duration.ofSeconds(5),
                new ObjectMapper());
    }

    @AfterEach
    void everyExchangeFollowsTheSpec() {
        assertThat(SpecValidator.V2.problems(wm.getAllServeEvents(), excuses)).isEmpty();
    }


    static JobSubmission submission(Optional<String> account) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("JUPYTERHUB_API_TOKEN", "secret-hub-token");
        env.put("HPCSPAWNER_B64_JUPYTERHUB_OAUTH_SCOPES", "WyJhY2Nlc3M6c2VydmVycyJd");
        return new JobSubmission("hpcspawner-alice-default", "alice", "#!/bin/bash\n#SBATCH --cpus-per-task=4\n"
                + "#SBATCH --time=120\n#SBATCH --mem=8G\nexec jupyterhub-singleuser\n", "normal", 4, Optional.of("8G"),
                120, account, "/users/alice", "/users/alice/.hpcspawner/default.log", env);
    }

    // ---------------------------------------------------------------- submit

    @Test
    void submitSendsTheDocumentedJobObjectAsTheUser() {
        wm.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"4242\"}")));

        String id = scheduler.submit(submission(Optional.of("csstaff")));

        assertThat(id).isEqualTo("4242");
        // cpus/time/memory are not in FirecREST's job object: they travel as #SBATCH lines in the script.
        wm.verify(1, postRequestedFor(urlPathEqualTo(JOBS))
                .withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice"))
                .withHeader("Content-Type", containing("application/json"))
                .withRequestBody(equalToJson("""
                        {"job": {
                          "name": "hpcspawner-alice-default",
                          "workingDirectory": "/users/alice",
                          "script": "#!/bin/bash\\n#SBATCH --cpus-per-task=4\\n#SBATCH --time=120\\n#SBATCH --mem=8G\\nexec jupyterhub-singleuser\\n",
                          "env": {"JUPYTERHUB_API_TOKEN": "secret-hub-token",
                                  "HPCSPAWNER_B64_JUPYTERHUB_OAUTH_SCOPES": "WyJhY2Nlc3M6c2VydmVycyJd"},
                          "partition": "normal",
                          "account": "csstaff",
                          "standardOutput": "/users/alice/.hpcspawner/default.log",
                          "standardError": "/users/alice/.hpcspawner/default.log"
                        }}""")));
    }

    @Test
    void submitWithoutAccountSendsNoAccount() {
        wm.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"7\"}")));

        scheduler.submit(submission(Optional.empty()));

        String body = wm.getAllServeEvents().get(0).getRequest().getBodyAsString();
        assertThat(body).doesNotContain("account");
    }

    @Test
    void submitReadsANumericJobIdToo() {
        excuses.add(new SpecValidator.Excuse("validation.response.body.schema.type", "/jobId",
                "FirecREST's code declares job_id: Optional[int] (compute/models.py) and sends a number;"
                        + " the 2.5.6 spec says string"));
        wm.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":4242}")));

        assertThat(scheduler.submit(submission(Optional.empty()))).isEqualTo("4242");
    }

    @Test
    void aSubmitAnswerWithoutJobIdIsTransientSoTheCallerLooksForTheJobByName() {
        wm.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":null}")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class,
                () -> scheduler.submit(submission(Optional.empty())));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("no jobId");
    }

    @Test
    void aValidationErrorIsNotTransientAndCarriesTheServersMessage() {
        wm.stubFor(post(JOBS).willReturn(json(400, validationError("Request validation error", "body", "job",
                "Field required"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class,
                () -> scheduler.submit(submission(Optional.empty())));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("HTTP 400").hasMessageContaining("Request validation error")
                .hasMessageContaining("job: Field required").hasMessageNotContaining(USER_TOKEN);
    }

    @Test
    void aQosLimitOnSubmitIsNotTransient() {
        wm.stubFor(post(JOBS).willReturn(json(403,
                error("sbatch: error: QOSMaxSubmitJobPerUserLimit (Job violates accounting/QOS policy)"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class,
                () -> scheduler.submit(submission(Optional.empty())));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("QOSMaxSubmitJobPerUserLimit");
    }

    // ---------------------------------------------------------------- jobs

    @Test
    void oneCallAnswersForAHundredJobsWithTheServiceToken() {
        List<ObjectNode> listed = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            listed.add(job(Integer.toString(5000 + i), "hpcspawner-user" + i + "-default", "user" + i, "RUNNING"));
        }
        listed.add(job("9001", "not-ours", "bob", "RUNNING"));
        listed.add(job("9002", "hpcspawner-carol-gpu", "carol", "PENDING"));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, jobs(listed))));
        Set<String> ids = IntStream.range(0, 100).mapToObj(i -> Integer.toString(5000 + i)).collect(Collectors.toSet());

        List<JobInfo> found = scheduler.jobs(ids, "hpcspawner-carol-");

        assertThat(found).hasSize(101).extracting(JobInfo::id).contains("5000", "5099", "9002").doesNotContain("9001");
        wm.verify(1, getRequestedFor(urlPathEqualTo(JOBS)));
        assertThat(wm.getAllServeEvents()).hasSize(1);
        wm.verify(getRequestedFor(urlPathEqualTo(JOBS)).withQueryParam("allusers", equalTo("true"))
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN)));
    }

    @Test
    void statesReasonsExitCodesAndNodesAreTranslated() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, jobs(
                withNodes(withStatus(job("1", "a", "alice", "RUNNING"), "RUNNING", "None", 0, 0),
                        "nid[001-003,007],login01", 5),
                withNodes(withStatus(job("2", "b", "alice", "PENDING"), "PENDING", "Priority", null, null),
                        "None assigned", 0),
                withNodes(withStatus(job("3", "c", "alice", "PENDING"), "PENDING", "Resources", null, null), "", 0),
                withStatus(job("4", "d", "alice", "CANCELLED"), "CANCELLED by 1234", "None", 0, 15),
                withStatus(job("5", "e", "alice", "FAILED"), "FAILED", "NonZeroExitCode", 3, 0),
                withStatus(job("6", "f", "alice", "COMPLETED"), "COMPLETED", null, 0, 0),
                withStatus(job("7", "g", "alice", "RUNNING"), "RUNNING,COMPLETING", "None", 0, 0),
                withStatus(job("8", "h", "alice", "TIMEOUT"), "TIMEOUT", "TimeLimit", 0, 0)))));

        Map<String, JobInfo> byId = scheduler.jobs(Set.of("1", "2", "3", "4", "5", "6", "7", "8"), null).stream()
                .collect(Collectors.toMap(JobInfo::id, Function.identity()));

        assertThat(byId.get("1")).isEqualTo(new JobInfo("1", "a", "alice", JobPhase.RUNNING, "RUNNING",
                Optional.empty(), Optional.of("nid001"), Optional.empty()));
        assertThat(byId.get("2")).isEqualTo(new JobInfo("2", "b", "alice", JobPhase.PENDING, "PENDING",
                Optional.of("Priority"), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(java.time.Instant.ofEpochSecond(1760000000))) // a pending job's time.start: the estimate
                .inQueueAt(1)); // the lower id of the two pending jobs of equal priority in one partition
        assertThat(byId.get("3").node()).isEmpty();
        assertThat(byId.get("3").queuePosition()).contains(2);
        assertThat(byId.get("3").reason()).contains("Resources");
        assertThat(byId.get("4")).isEqualTo(new JobInfo("4", "d", "alice", JobPhase.ENDED, "CANCELLED",
                Optional.empty(), Optional.of("nid001234"), Optional.of(128 + 15)));
        assertThat(byId.get("5").exitCode()).contains(3);
        assertThat(byId.get("5").phase()).isEqualTo(JobPhase.ENDED);
        assertThat(byId.get("6").exitCode()).contains(0);
        assertThat(byId.get("6").reason()).isEmpty();
        assertThat(byId.get("7").state()).isEqualTo("RUNNING");
        assertThat(byId.get("7").phase()).isEqualTo(JobPhase.RUNNING);
        assertThat(byId.get("8").phase()).isEqualTo(JobPhase.ENDED);
    }

    @Test
    void aNullJobListMeansNoJobs() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\":null}")));

        assertThat(scheduler.jobs(Set.of("1"), null)).isEmpty();
    }

    @Test
    void anAnswerWithoutAJobListIsAnErrorNotNoJobs() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{}")));

        assertThatThrownBy(() -> scheduler.jobs(Set.of("1"), null)).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("no \"jobs\" field").matches(e -> ((SchedulerException) e).isTransient());
    }

    @Test
    void aLookUpOfAJobFirecrestDoesNotKnowIsEmpty() {
        wm.stubFor(get(urlPathEqualTo(JOBS + "/77")).willReturn(json(404,
                "{\"errorType\":\"error\",\"message\":\"Job not found.\"}")));

        assertThat(scheduler.job("77")).isEmpty();
    }

    @Test
    void aLookUpFindsTheJobWithTheServiceAccount() {
        wm.stubFor(get(urlPathEqualTo(JOBS + "/78")).willReturn(json(200, jobs(job("78", "hpcsp-x", "x", "RUNNING")))));

        assertThat(scheduler.job("78")).get().extracting(JobInfo::phase).isEqualTo(JobPhase.RUNNING);
    }

    @Test
    void aLookUpAnswerWithoutTheJobIsADoubtNotAnEnd() {
        wm.stubFor(get(urlPathEqualTo(JOBS + "/79")).willReturn(json(200, "{\"jobs\":null}")));

        assertThatThrownBy(() -> scheduler.job("79")).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("does not say it is unknown");
    }

    @Test
    void aUserlessJobHasAnEmptyUser() {
        ObjectNode j = job("11", "hpcspawner-x", "x", "RUNNING");
        j.putNull("user");
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, jobs(j))));

        assertThat(scheduler.jobs(Set.of("11"), null)).singleElement().extracting(JobInfo::user).isEqualTo("");
    }

    @Test
    void askingForNothingCallsNothing() {
        assertThat(scheduler.jobs(Set.of(), null)).isEmpty();
        assertThat(wm.getAllServeEvents()).isEmpty();
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancelDeletesAsTheUser() {
        wm.stubFor(delete(JOBS + "/4242").willReturn(aResponse().withStatus(204)));

        scheduler.cancel("4242", "alice");

        wm.verify(1, deleteRequestedFor(urlPathEqualTo(JOBS + "/4242"))
                .withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice")));
    }

    @Test
    void cancellingAJobFirecrestDoesNotKnowSucceeds() {
        wm.stubFor(delete(JOBS + "/4242").willReturn(json(404, error("Job not found."))));

        scheduler.cancel("4242", "alice");
    }

    @Test
    void aFailedScancelOnAJobThatEndedCountsAsCancelled() {
        wm.stubFor(delete(JOBS + "/4242").willReturn(json(500,
                error("scancel: error: Kill job error on job id 4242: Job/step already completing or completed"))));
        wm.stubFor(get(JOBS + "/4242").willReturn(json(200,
                jobs(withStatus(job("4242", "hpcspawner-alice-default", "alice", "COMPLETED"), "COMPLETED", "None", 0, 0)))));

        scheduler.cancel("4242", "alice");

        wm.verify(1, getRequestedFor(urlPathEqualTo(JOBS + "/4242"))
                .withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice")));
    }

    @Test
    void aFailedScancelOnAJobThatVanishedCountsAsCancelled() {
        wm.stubFor(delete(JOBS + "/4242").willReturn(json(500, error("scancel: error: Invalid job id specified"))));
        wm.stubFor(get(JOBS + "/4242").willReturn(json(404, error("Job not found."))));

        scheduler.cancel("4242", "alice");
    }

    @Test
    void aFailedScancelOnAJobStillRunningFails() {
        wm.stubFor(delete(JOBS + "/4242").willReturn(json(500, error("scancel: error: Unable to contact slurm controller"))));
        wm.stubFor(get(JOBS + "/4242").willReturn(json(200,
                jobs(withNodes(job("4242", "hpcspawner-alice-default", "alice", "RUNNING"), "nid[0001-0002]", 2)))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.cancel("4242", "alice"));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("HTTP 500").hasMessageContaining("Unable to contact slurm controller");
    }

    @Test
    void aCancelOnACompletingJobIsTakenAndNotSentAgain() {
        wm.stubFor(delete(JOBS + "/4242").willReturn(json(500,
                error("scancel: error: Kill job error on job id 4242: Job/step already completing or completed"))));
        wm.stubFor(get(JOBS + "/4242").willReturn(json(200,
                jobs(withNodes(job("4242", "hpcspawner-alice-default", "alice", "COMPLETING"), "nid0001", 1)))));

        scheduler.cancel("4242", "alice");

        wm.verify(1, deleteRequestedFor(urlPathEqualTo(JOBS + "/4242")));
    }

    // ---------------------------------------------------------------- refused tokens (401)

    /** Tokens {@code <who>-<n>}: each renewal after a refusal hands out the next n. */
    static final class RenewableTokens implements AccessTokens {
        final java.util.concurrent.atomic.AtomicInteger user = new java.util.concurrent.atomic.AtomicInteger(1);
        final java.util.concurrent.atomic.AtomicInteger service = new java.util.concurrent.atomic.AtomicInteger(1);

        @Override
        public String forUser(String who) {
            return USER_TOKEN + who + "-" + user.get();
        }

        @Override
        public String forService() {
            return SERVICE_TOKEN + "-" + service.get();
        }

        @Override
        public String renewedForUser(String who, String refused) {
            user.incrementAndGet();
            return forUser(who);
        }

        @Override
        public String renewedForService(String refused) {
            service.incrementAndGet();
            return forService();
        }
    }

    @Test
    void aListingRefusedWithFourOOneIsSentOnceMoreWithARenewedToken() {
        RenewableTokens tokens = new RenewableTokens();
        scheduler = new FirecrestV2Scheduler(URI.create(wm.baseUrl()), "daint", tokens, Duration.ofSeconds(5),
                new ObjectMapper());
        wm.stubFor(get(urlPathEqualTo(JOBS)).withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN + "-1"))
                .willReturn(json(401, error(KeycloakSignatures.EXPIRES_TOO_SOON))));
        wm.stubFor(get(urlPathEqualTo(JOBS)).withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN + "-2"))
                .willReturn(json(200, jobs(job("7", "hpcspawner-a", "alice", "RUNNING")))));

        List<JobInfo> found = scheduler.jobs(Set.of("7"), null);

        assertThat(found).extracting(JobInfo::id).containsExactly("7");
        wm.verify(2, getRequestedFor(urlPathEqualTo(JOBS)));
        assertThat(tokens.service).hasValue(2);
    }

    @Test
    void aCancelRefusedWithFourOOneIsRenewedAndSentOnceMoreOnly() {
        RenewableTokens tokens = new RenewableTokens();
        scheduler = new FirecrestV2Scheduler(URI.create(wm.baseUrl()), "daint", tokens, Duration.ofSeconds(5),
                new ObjectMapper());
        Stubs.inTurn(wm, () -> delete(urlPathEqualTo(JOBS + "/4242")),
                json(401, error(KeycloakSignatures.EXPIRES_TOO_SOON)), aResponse().withStatus(204));

        scheduler.cancel("4242", "alice");

        wm.verify(2, deleteRequestedFor(urlPathEqualTo(JOBS + "/4242")));
        wm.verify(1, deleteRequestedFor(urlPathEqualTo(JOBS + "/4242"))
                .withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice-2")));
    }

    @Test
    void aSecondFourOOneIsARealRefusal() {
        RenewableTokens tokens = new RenewableTokens();
        scheduler = new FirecrestV2Scheduler(URI.create(wm.baseUrl()), "daint", tokens, Duration.ofSeconds(5),
                new ObjectMapper());
        wm.stubFor(delete(urlPathEqualTo(JOBS + "/4242")).willReturn(json(401, error("Invalid token"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.cancel("4242", "alice"));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("HTTP 401").hasMessageContaining("Invalid token")
                .hasMessageNotContaining(USER_TOKEN);
        wm.verify(2, deleteRequestedFor(urlPathEqualTo(JOBS + "/4242")));
        assertThat(tokens.user).as("renewed once").hasValue(2);
    }

    // ---------------------------------------------------------------- files

    @Test
    void tailReadsTheWholeSmallFileOnceThenOnlyWhatWasWrittenSince() {
        String file = "/users/alice/.hpcspawner/my server.log";
        String first = "starting\nlistening\n";
        wm.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/stat")).willReturn(json(200, JobModelBodies.stat(first.length()))));
        wm.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/tail")).withQueryParam("bytes", equalTo("1"))
                .willReturn(json(200, JobModelBodies.fileFrom(first, 1))));
        String added = "HPCSPAWNER_READY host=nid001 port=51234\n";
        wm.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/tail")).withQueryParam("bytes", equalTo("20"))
                .willReturn(json(200, JobModelBodies.fileFrom(added, 20))));

        assertThat(scheduler.tail(file, "alice", 200)).isEqualTo(first);
        assertThat(scheduler.tail(file, "alice", 2)).isEqualTo("listening\n" + added);

        wm.verify(1, getRequestedFor(urlPathEqualTo("/filesystem/daint/ops/stat")).withQueryParam("path", equalTo(file))
                .withQueryParam("dereference", equalTo("true"))
                .withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice")));
        wm.verify(2, getRequestedFor(urlPathEqualTo("/filesystem/daint/ops/tail")).withQueryParam("path", equalTo(file))
                .withQueryParam("skipHeading", equalTo("true"))
                .withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice")));
    }

    @Test
    void aFileNotWrittenYetReadsAsEmpty() {
        wm.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/stat")).willReturn(json(404,
                error("stat: cannot statx '/users/alice/out.log': No such file or directory"))));

        assertThat(scheduler.tail("/users/alice/out.log", "alice", 20)).isEmpty();
        wm.verify(0, getRequestedFor(urlPathEqualTo("/filesystem/daint/ops/tail")));
    }

    @Test
    void headReadsTheFirstLines() {
        wm.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/head")).willReturn(json(200, fileContent("10.0.3.7\n", 0, 1))));

        assertThat(scheduler.head("/users/alice/out.log", "alice", 1)).isEqualTo("10.0.3.7\n");
        wm.verify(getRequestedFor(urlPathEqualTo("/filesystem/daint/ops/head")).withQueryParam("lines", equalTo("1")));
    }

    @Test
    void aForbiddenFileIsNotTransient() {
        wm.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/stat")).willReturn(json(403,
                error("stat: cannot statx '/users/bob/out.log': Permission denied"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class,
                () -> scheduler.tail("/users/bob/out.log", "alice", 20));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("Permission denied");
    }

    // ---------------------------------------------------------------- status

    @Test
    void partitionsAreListedWithTheServiceTokenAndTheirLoadCountedFromTheNodes() {
        wm.stubFor(get("/status/daint/partitions").willReturn(json(200, """
                {"partitions": [
                  {"name": "normal", "partition": "UP", "cpus": 1536, "totalNodes": 12},
                  {"name": "debug", "partition": ["UP"], "cpus": 128, "totalNodes": 1},
                  {"name": "xfer", "partition": "DOWN", "cpus": null, "totalNodes": null}
                ]}""")));
        wm.stubFor(get("/status/daint/nodes").willReturn(json(200, """
                {"nodes": [
                  {"name": "nid001", "cpus": 128, "allocCpus": 0, "state": ["IDLE"], "partitions": ["normal", "debug"]},
                  {"name": "nid002", "cpus": 128, "allocCpus": 64, "state": ["MIXED"], "partitions": ["normal"]},
                  {"name": "nid003", "cpus": 128, "allocCpus": 0, "state": ["IDLE", "DRAIN"], "partitions": ["normal"]},
                  {"name": "nid004", "cpus": 128, "allocCpus": null, "state": ["DOWN"], "partitions": null}
                ]}""")));

        List<Partition> partitions = scheduler.partitions();

        // FirecREST's partition model has no limits: 0 (none known)
        assertThat(partitions).containsExactly(new Partition("normal", "UP", 1536, 12, 0, 0, 1, 1, 192, 64),
                new Partition("debug", "UP", 128, 1, 0, 0, 1, 0, 128, 0),
                new Partition("xfer", "DOWN", 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(partitions).extracting(Partition::up).containsExactly(true, true, false);
        for (String path : List.of("/status/daint/partitions", "/status/daint/nodes")) {
            wm.verify(getRequestedFor(urlPathEqualTo(path)).withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN)));
        }
    }

    @Test
    void whenTheNodesCannotBeListedThePartitionsComeWithTheirLoadUnknown() {
        wm.stubFor(get("/status/daint/partitions").willReturn(json(200, """
                {"partitions": [{"name": "normal", "partition": "UP", "cpus": 1536, "totalNodes": 12}]}""")));
        wm.stubFor(get("/status/daint/nodes").willReturn(json(500, error("scheduler timeout"))));

        assertThat(scheduler.partitions()).containsExactly(new Partition("normal", "UP", 1536, 12));
    }

    @Test
    void reservationsAreListedWithTheirTimesButNotWhoMayUseThem() {
        wm.stubFor(get("/status/daint/reservations").willReturn(json(200, """
                {"reservations": [
                  {"name": "course", "nodeList": "nid[001-004]", "startTime": 1796284800, "endTime": 1796292000,
                   "features": null, "state": "ACTIVE"}
                ]}""")));

        assertThat(scheduler.reservations()).containsExactly(new Reservation("course", Optional.empty(),
                Instant.ofEpochSecond(1796284800L), Instant.ofEpochSecond(1796292000L), Optional.empty(), Optional.empty()));
        wm.verify(getRequestedFor(urlPathEqualTo("/status/daint/reservations"))
                .withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN)));
    }

    @Test
    void userInfoTakesTheDefaultAccountAsTheUser() {
        wm.stubFor(get("/status/daint/userinfo").willReturn(json(200, """
                {"user": {"id": "21512", "name": "alice"},
                 "group": {"id": "1000", "name": "csstaff"},
                 "groups": [{"id": "1000", "name": "csstaff"}, {"id": "31021", "name": "g123"}],
                 "accounts": [{"name": "g123", "default": false}, {"name": "csstaff", "default": true}]}""")));

        UserInfo info = scheduler.userInfo("alice");

        assertThat(info).isEqualTo(new UserInfo("alice", Optional.of("csstaff"), List.of("g123", "csstaff")));
        wm.verify(getRequestedFor(urlPathEqualTo("/status/daint/userinfo"))
                .withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice")));
    }

    @Test
    void userInfoWithoutAccountsHasNoDefault() {
        wm.stubFor(get("/status/daint/userinfo").willReturn(json(200, """
                {"user": {"id": "21512", "name": "alice"}, "group": {"id": "1000", "name": "csstaff"},
                 "groups": [], "accounts": null}""")));

        assertThat(scheduler.userInfo("alice")).isEqualTo(new UserInfo("alice", Optional.empty(), List.of()));
    }

    // ---------------------------------------------------------------- health

    /** An {@code HPCCluster} of {@code GET /status/systems}, with the given {@code servicesHealth} JSON. */
    static String cluster(String name, String servicesHealth) {
        return "{\"name\": \"" + name + "\", \"ssh\": {\"host\": \"" + name + ".cscs.ch\", \"port\": 22},"
                + " \"scheduler\": {\"type\": \"slurm\", \"version\": \"24.05.4\"}, \"probing\": {\"intervalCheck\": 60},"
                + " \"servicesHealth\": " + servicesHealth + ", \"lastHealthCheck\": \"2026-11-22T10:00:00Z\"}";
    }

    static String probe(String type, boolean healthy, String message) {
        return "{\"serviceType\": \"" + type + "\", \"healthy\": " + healthy + ", \"lastChecked\": \"2026-11-22T10:00:00Z\","
                + " \"latency\": 0.2, \"message\": " + (message == null ? "null" : "\"" + message + "\"") + "}";
    }

    @Test
    void healthNamesEachFailingServiceInFirecrestsWords() {
        wm.stubFor(get("/status/systems").willReturn(json(200, "{\"systems\": [" + cluster("eiger", "[" + probe("ssh", false, "down") + "]")
                + ", " + cluster("daint", "[" + probe("scheduler", true, null) + ", " + probe("ssh", false, "Connection timed out")
                + ", " + probe("filesystem", true, null) + "]") + "]}")));

        SystemHealth health = scheduler.health();

        assertThat(health.state()).isEqualTo(SystemHealth.State.UNHEALTHY);
        assertThat(health.detail()).isEqualTo("FirecREST reports daint unhealthy: ssh (Connection timed out)");
        wm.verify(getRequestedFor(urlPathEqualTo("/status/systems")).withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN)));
    }

    @Test
    void healthIsGoodWhenEveryProbeAnsweredAndUnknownBeforeTheFirstProbe() {
        wm.stubFor(get("/status/systems").willReturn(json(200, "{\"systems\": [" + cluster("DAINT", "[" + probe("scheduler", true, null)
                + ", " + probe("ssh", true, null) + "]") + "]}")));
        assertThat(scheduler.health()).isEqualTo(SystemHealth.healthy("2 services healthy at FirecREST's last check"));

        wm.stubFor(get("/status/systems").willReturn(json(200, "{\"systems\": [" + cluster("daint", "null") + "]}")));
        assertThat(scheduler.health().state()).isEqualTo(SystemHealth.State.UNKNOWN);

        wm.stubFor(get("/status/systems").willReturn(json(200, "{\"systems\": [" + cluster("eiger", "[]") + "]}")));
        assertThat(scheduler.health().detail()).contains("does not list the system daint").contains("firecrest-system");
    }

    // ---------------------------------------------------------------- failures

    @Test
    void anUnhealthySchedulerIsTransient() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(503,
                error("The scheduler service for the requested system (daint) is unhealthy."))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("HTTP 503").hasMessageContaining("is unhealthy")
                .hasMessageMatching("(?s).*X-Request-ID [0-9a-f-]{36}.*");
    }

    @ParameterizedTest
    @ValueSource(ints = {408, 424, 429, 500, 502, 504})
    void retryableStatusesAreTransient(int status) {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(status, error("Command execution failed"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 403, 404})
    void clientErrorsAreNotTransient(int status) {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(status, error(KeycloakSignatures.EXPIRES_TOO_SOON))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("Access token expires too soon").hasMessageNotContaining(SERVICE_TOKEN);
    }

    @Test
    void aConnectionResetIsTransient() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
    }

    @Test
    void aRefusedConnectionIsTransient() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        FirecrestV2Scheduler nowhere = new FirecrestV2Scheduler(URI.create("http://127.0.0.1:" + port), "daint", TOKENS,
                Duration.ofSeconds(2), new ObjectMapper());

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> nowhere.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
    }

    @Test
    void aSlowAnswerTimesOutAsTransient() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\":[]}").withFixedDelay(1500)));
        FirecrestV2Scheduler impatient = new FirecrestV2Scheduler(URI.create(wm.baseUrl()), "daint", TOKENS,
                Duration.ofMillis(300), new ObjectMapper());

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> impatient.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("timed out");
    }

    @Test
    void aMalformedBodyIsTransientWithAClearMessage() {
        excuses.add(new SpecValidator.Excuse("validation.response.body.schema.invalidJson", "",
                "the stub sends a broken body on purpose"));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\": [{\"jobId\": \"1\", ")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.jobs(Set.of("1"), null));

        assertThat(e).isExactlyInstanceOf(SchedulerException.class);
        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("GET /compute/daint/jobs").hasMessageContaining("not valid JSON")
                .hasMessageNotContaining("jobId");
    }

    @Test
    void aBodyOfTheWrongShapeIsTransient() {
        excuses.add(new SpecValidator.Excuse("validation.response.body.schema.type", "/jobs",
                "the stub sends a wrong shape on purpose"));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\": \"none\"}")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("unexpected answer");
    }

    @Test
    void aGatewayPageInsteadOfAnErrorBodyStillFailsCleanly() {
        excuses.add(new SpecValidator.Excuse("validation.response.contentType.notAllowed", "",
                "a gateway in front of FirecREST answers with HTML, which FirecREST itself never sends"));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(aResponse().withStatus(502)
                .withHeader("Content-Type", "text/html").withBody("<html><body>Bad Gateway</body></html>")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> scheduler.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("HTTP 502").hasMessageNotContaining("<html>");
    }

    @Test
    void theRequestIdDiffersPerRequest() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\":[]}")));

        scheduler.jobs(Set.of("1"), null);
        scheduler.jobs(Set.of("1"), null);

        wm.verify(2, getRequestedFor(urlPathEqualTo(JOBS)).withHeader("X-Request-ID", matching("[0-9a-f-]{36}")));
        assertThat(wm.getAllServeEvents().stream().map(e -> e.getRequest().getHeader("X-Request-ID")).distinct())
                .hasSize(2);
    }
}
