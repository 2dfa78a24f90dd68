package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.hpcspawner.scheduler.firecrest.FirecrestV1SchedulerTest.JOBS;
import static io.hpcspawner.scheduler.firecrest.FirecrestV1SchedulerTest.PACING;
import static io.hpcspawner.scheduler.firecrest.FirecrestV1SchedulerTest.SERVICE_TOKEN;
import static io.hpcspawner.scheduler.firecrest.FirecrestV1SchedulerTest.TOKENS;
import static io.hpcspawner.scheduler.firecrest.FirecrestV1SchedulerTest.UPLOAD;
import static io.hpcspawner.scheduler.firecrest.FirecrestV1SchedulerTest.USER_TOKEN;
import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static io.hpcspawner.scheduler.firecrest.FirecrestV1SchedulerTest.submission;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.created;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.listing;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.row;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.task;
import static io.hpcspawner.scheduler.firecrest.V1Bodies.tasks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.support.FakeTime;
import io.hpcspawner.scheduler.guard.ResiliencePolicy;
import io.hpcspawner.scheduler.guard.GuardedScheduler;
import io.hpcspawner.scheduler.guard.SystemGuards;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults between the real FirecREST v1 adapter and a WireMock FirecREST v1, with the adapter
 * wrapped in {@link GuardedScheduler} as the service runs it: 5xx bursts, reset connections
 * (also while a task is polled), 429 with {@code Retry-After}, the system in maintenance
 * ({@code X-Machine-Not-Available}) against an unknown system, a submit whose answer was lost,
 * a dead system next to a healthy one. Time is fake ({@link FakeTime}). Every exchange that got an
 * HTTP answer is validated against the v1 document afterwards, as in {@link FirecrestV1SchedulerTest}.
 */
@QuarkusTest // SmallRye Fault Tolerance's guards are made through CDI
class FirecrestV1FaultTest {

    static final String NAME = "hpcspawner-alice-default";

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()
                    // Delayed answers must not hold up the next test's requests.
                    .asynchronousResponseEnabled(true).asynchronousResponseThreads(10).containerThreads(30)).build();

    final List<SpecValidator.Excuse> excuses = new ArrayList<>();
    final FakeTime time = new FakeTime();

    @AfterEach
    void everyExchangeFollowsTheSpec() {
        assertThat(SpecValidator.V1.problems(wm.getAllServeEvents(), excuses)).isEmpty();
    }

    GuardedScheduler system(String name) {
        return system(name, Duration.ofSeconds(5));
    }

    GuardedScheduler system(String name, Duration timeout) {
        FirecrestV1Scheduler adapter = new FirecrestV1Scheduler(URI.create(wm.baseUrl() + "/"), name, TOKENS,
                timeout, PACING, new ObjectMapper());
        return new GuardedScheduler(adapter, new SystemGuards(name, "FirecREST", ResiliencePolicy.defaults(),
                new SimpleMeterRegistry(), time, time, false));
    }

    static void answers(Supplier<MappingBuilder> request, ResponseDefinitionBuilder... responses) {
        Stubs.inTurn(wm, request, responses);
    }

    static ResponseDefinitionBuilder dropped() {
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
    }

    static ResponseDefinitionBuilder queueTask(String taskId) {
        return json(200, created(taskId));
    }

    static void listingTask(String taskId, String jobId, String name) {
        wm.stubFor(get(urlPathEqualTo("/tasks")).withQueryParam("tasks", equalTo(taskId))
                .willReturn(json(200, tasks(task(taskId, "200", listing(row(jobId, name, "alice", "RUNNING", "nid0001")))))));
    }

    void excuseUnlistedStatus(String why) {
        excuses.add(new SpecValidator.Excuse("validation.response.status.unknown", "", why));
    }

    @Test
    void aBurstOf5xxOnTheListingIsRetriedUntilItRecovers() {
        excuseUnlistedStatus("the gateway answers 502/503 on any route; the v1 document lists neither");
        answers(() -> get(urlPathEqualTo(JOBS)), json(503, "{\"message\":\"upstream unavailable\"}"),
                json(502, "{\"message\":\"bad gateway\"}"), queueTask("q1"));
        listingTask("q1", "4242", NAME);

        List<JobInfo> jobs = system("daint").jobs(Set.of("4242"), null);

        assertThat(jobs).singleElement().extracting(JobInfo::id).isEqualTo("4242");
        wm.verify(3, getRequestedFor(urlPathEqualTo(JOBS)).withHeader("X-Machine-Name", equalTo("daint")));
        assertThat(time.sleeps()).hasSize(2);
    }

    @Test
    void aResetWhilePollingTheTaskIsRetriedAndNeverReadAsGone() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(queueTask("q1")));
        answers(() -> get(urlPathEqualTo("/tasks")).withQueryParam("tasks", equalTo("q1")), dropped(), dropped(), dropped(), dropped(),
                dropped(), dropped(), json(200, tasks(task("q1", "200", listing(row("4242", NAME, "alice", "RUNNING", "nid0001"))))));

        List<JobInfo> jobs = system("daint").jobs(Set.of("4242"), null);

        assertThat(jobs).singleElement().extracting(JobInfo::id).isEqualTo("4242");
    }

    @Test
    void aRateLimitIsWaitedOutAsTheServerAsks() {
        excuseUnlistedStatus("the gateway (Kong) answers 429 on any route; the v1 document does not list it");
        answers(() -> get(urlPathEqualTo(JOBS)), json(429, "{\"message\":\"API rate limit exceeded\"}").withHeader("Retry-After", "7"),
                queueTask("q1"));
        listingTask("q1", "4242", NAME);

        assertThat(system("daint").jobs(Set.of("4242"), null)).hasSize(1);
        assertThat(time.sleeps()).contains(Duration.ofSeconds(7));
    }

    @Test
    void aSystemInMaintenanceIsRetriedButAnUnknownSystemIsNot() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).withHeader("X-Machine-Name", equalTo("daint"))
                .willReturn(json(400, "{\"description\":\"Failed to retrieve jobs information\"}")
                        .withHeader("X-Machine-Not-Available", "Machine is not available")));
        wm.stubFor(get(urlPathEqualTo(JOBS)).withHeader("X-Machine-Name", equalTo("dainty"))
                .willReturn(json(400, "{\"description\":\"Failed to retrieve jobs information\"}")
                        .withHeader("X-Machine-Does-Not-Exists", "Machine does not exist")));

        assertThatThrownBy(() -> system("daint").jobs(Set.of("4242"), null)).isInstanceOf(SchedulerException.class)
                .satisfies(e -> assertThat(((SchedulerException) e).isTransient()).isTrue())
                .hasMessageContaining("X-Machine-Not-Available");
        wm.verify(3, getRequestedFor(urlPathEqualTo(JOBS)).withHeader("X-Machine-Name", equalTo("daint")));

        assertThatThrownBy(() -> system("dainty").jobs(Set.of("4242"), null)).isInstanceOf(SchedulerException.class)
                .satisfies(e -> assertThat(((SchedulerException) e).isTransient()).isFalse())
                .hasMessageContaining("check the system name");
        wm.verify(1, getRequestedFor(urlPathEqualTo(JOBS)).withHeader("X-Machine-Name", equalTo("dainty")));
    }

    @Test
    void aSubmitWhoseAnswerWasLostIsFoundByNameNotSentTwice() {
        wm.stubFor(post(UPLOAD).willReturn(dropped()));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(queueTask("q1")));
        listingTask("q1", "5151", NAME);

        String id = system("daint").submit(submission());

        assertThat(id).isEqualTo("5151");
        wm.verify(1, postRequestedFor(urlPathEqualTo(UPLOAD)));
        wm.verify(getRequestedFor(urlPathEqualTo(JOBS)).withHeader("Authorization", equalTo("Bearer " + SERVICE_TOKEN)));
    }

    @Test
    void aLostSubmitWithNoJobListedYetIsNotSentAgain() {
        wm.stubFor(post(UPLOAD).willReturn(dropped()));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(queueTask("q1")));
        wm.stubFor(get(urlPathEqualTo("/tasks")).withQueryParam("tasks", equalTo("q1"))
                .willReturn(json(200, tasks(task("q1", "200", listing())))));

        assertThatThrownBy(() -> system("daint").submit(submission())).isInstanceOf(SchedulerException.class)
                .satisfies(e -> assertThat(((SchedulerException) e).isTransient()).isTrue())
                .hasMessageContaining("was not sent again");
        wm.verify(1, postRequestedFor(urlPathEqualTo(UPLOAD)).withHeader("Authorization", equalTo("Bearer " + USER_TOKEN + "alice")));
    }

    @Test
    void aDeadSystemOpensItsBreakerWhileAnotherSystemStaysFast() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).withHeader("X-Machine-Name", equalTo("daint")).willReturn(dropped()));
        wm.stubFor(get(urlPathEqualTo(JOBS)).withHeader("X-Machine-Name", equalTo("eiger")).willReturn(queueTask("q2")));
        listingTask("q2", "7", "hpcspawner-bob-default");
        GuardedScheduler daint = system("daint");
        GuardedScheduler eiger = system("eiger");

        for (int round = 0; round < 3; round++) {
            assertThatThrownBy(() -> daint.jobs(Set.of("1"), null)).isInstanceOf(SchedulerException.class);
        }
        int sent = wm.findAll(getRequestedFor(urlPathEqualTo(JOBS)).withHeader("X-Machine-Name", equalTo("daint"))).size();
        assertThatThrownBy(() -> daint.jobs(Set.of("1"), null)).hasMessageContaining("daint");
        assertThat(wm.findAll(getRequestedFor(urlPathEqualTo(JOBS)).withHeader("X-Machine-Name", equalTo("daint"))))
                .as("an open breaker sends nothing").hasSize(sent);

        assertThat(eiger.jobs(Set.of("7"), null)).singleElement().extracting(JobInfo::id).isEqualTo("7");
    }

    @Test
    void anAnswerSlowerThanTheTimeoutIsRetried() {
        answers(() -> get(urlPathEqualTo(JOBS)), queueTask("q1").withFixedDelay(1500), queueTask("q1"));
        listingTask("q1", "4242", NAME);

        assertThat(system("daint", Duration.ofMillis(300)).jobs(Set.of("4242"), null)).hasSize(1);
        wm.verify(2, getRequestedFor(urlPathEqualTo(JOBS)));
    }

    @Test
    void aBurstOf5xxWhilePollingTheTaskIsRetried() {
        excuseUnlistedStatus("the gateway answers 503 on any route; the v1 document does not list it");
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(queueTask("q1")));
        answers(() -> get(urlPathEqualTo("/tasks")).withQueryParam("tasks", equalTo("q1")),
                json(503, "{\"message\":\"upstream unavailable\"}"), json(503, "{\"message\":\"upstream unavailable\"}"),
                json(200, tasks(task("q1", "200", listing(row("4242", NAME, "alice", "RUNNING", "nid0001"))))));

        assertThat(system("daint").jobs(Set.of("4242"), null)).singleElement().extracting(JobInfo::id).isEqualTo("4242");
    }

    @Test
    void aMalformedTaskAnswerIsTransientAndRetried() {
        excuses.add(new SpecValidator.Excuse("validation.response.body.schema.invalidJson", "",
                "the test sends a deliberately truncated body"));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(queueTask("q1")));
        answers(() -> get(urlPathEqualTo("/tasks")).withQueryParam("tasks", equalTo("q1")),
                json(200, "{\"tasks\": {\"q1\": {\"status\": "),
                json(200, tasks(task("q1", "200", listing(row("4242", NAME, "alice", "RUNNING", "nid0001"))))));

        assertThat(system("daint").jobs(Set.of("4242"), null)).hasSize(1);
    }

    @Test
    void aRetryAfterBeyondTheCallsTimeFailsAtOnceSayingWhenToRetry() {
        excuseUnlistedStatus("the gateway (Kong) answers 429 on any route; the v1 document does not list it");
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(429, "{\"message\":\"API rate limit exceeded\"}")
                .withHeader("Retry-After", "3600")));

        SchedulerException e = org.assertj.core.api.Assertions.catchThrowableOfType(SchedulerException.class,
                () -> system("daint").jobs(Set.of("4242"), null));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("429").hasMessageContaining("retry after");
        wm.verify(1, getRequestedFor(urlPathEqualTo(JOBS)));
        assertThat(time.sleeps()).isEmpty();
    }
}
