package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.delete;
import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.hpcspawner.scheduler.firecrest.FirecrestV2SchedulerTest.JOBS;
import static io.hpcspawner.scheduler.firecrest.FirecrestV2SchedulerTest.TOKENS;
import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.error;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.job;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.jobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.hpcspawner.scheduler.ForwardingScheduler;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.UserInfo;
import io.hpcspawner.support.FakeTime;
import io.hpcspawner.scheduler.guard.ResiliencePolicy;
import io.hpcspawner.scheduler.guard.GuardedScheduler;
import io.hpcspawner.scheduler.guard.SystemGuards;
import io.hpcspawner.spawn.service.PatientSubmit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import io.quarkus.test.junit.QuarkusTest;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults injected between the real FirecREST v2 adapter and a WireMock FirecREST, with the adapter
 * wrapped in {@link GuardedScheduler}: 5xx bursts, 429 with {@code Retry-After}, answers slower
 * than the timeout, reset connections, 404 right after a submit, malformed bodies. Time is fake
 * ({@link FakeTime}): backoffs and {@code Retry-After} waits move a clock instead of sleeping, and
 * are asserted. Only request timeouts and the bulkhead take real time. As in
 * {@link FirecrestV2SchedulerTest}, every request, and every response that is an HTTP answer, is
 * validated against the OpenAPI document afterwards; deliberately broken bodies are excused.
 */
@QuarkusTest // SmallRye Fault Tolerance's guards are made through CDI
class FirecrestFaultTest {

    static final String EIGER_JOBS = "/compute/eiger/jobs";
    static final String NAME = "hpcspawner-alice-default";

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()
                    // Delayed answers must not hold up the next test's requests.
                    .asynchronousResponseEnabled(true).asynchronousResponseThreads(20).containerThreads(50)).build();

    final List<SpecValidator.Excuse> excuses = new ArrayList<>();
    final FakeTime time = new FakeTime();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    /** Retry 3 attempts from 250 ms doubling to 4 s, half jittered, 15 s per call, Retry-After capped at 30 s. */
    static final ResiliencePolicy POLICY = ResiliencePolicy.defaults();

    /** As {@link #POLICY}, but the breaker's cool-down (SmallRye's, on real time) is short enough to wait out. */
    static final ResiliencePolicy QUICK_BREAKER = new ResiliencePolicy(POLICY.retry(),
            new ResiliencePolicy.Breaker(POLICY.breaker().failureThreshold(), Duration.ofMillis(1500)), POLICY.submits());

    /** Lets the breaker's cool-down pass on the fake clock and on the real one. */
    void coolDown() throws InterruptedException {
        time.advance(QUICK_BREAKER.breaker().openFor());
        Thread.sleep(QUICK_BREAKER.breaker().openFor().toMillis());
    }

    @AfterEach
    void everyExchangeFollowsTheSpec() {
        assertThat(SpecValidator.V2.problems(wm.getAllServeEvents(), excuses)).isEmpty();
    }

    FirecrestV2Scheduler adapter(String system, Duration timeout) {
        return new FirecrestV2Scheduler(URI.create(wm.baseUrl()), system, TOKENS, timeout, new ObjectMapper());
    }

    GuardedScheduler resilient(String system, Scheduler adapter, ResiliencePolicy policy) {
        return new GuardedScheduler(adapter, new SystemGuards(system, "FirecREST", policy, meters, time, time, false));
    }

    /** The node list that partitions() counts the load from: empty. */
    void noNodes() {
        wm.stubFor(get(urlPathEqualTo("/status/daint/nodes")).willReturn(json(200, "{\"nodes\":[]}")));
    }

    GuardedScheduler daint() {
        return resilient("daint", adapter("daint", Duration.ofSeconds(5)), POLICY);
    }

    static void answers(Supplier<MappingBuilder> request, ResponseDefinitionBuilder... responses) {
        Stubs.inTurn(wm, request, responses);
    }

    static Supplier<MappingBuilder> listing(String path) {
        return () -> get(urlPathEqualTo(path));
    }

    static ResponseDefinitionBuilder oneJob(String id) {
        return json(200, jobs(job(id, NAME, "alice", "RUNNING")));
    }

    static ResponseDefinitionBuilder dropped() {
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
    }

    static JobSubmission submission(String name) {
        JobSubmission s = FirecrestV2SchedulerTest.submission(Optional.empty());
        return new JobSubmission(name, s.user(), s.script(), s.partition(), s.cpus(), s.memory(), s.timeLimitMinutes(),
                s.account(), s.workingDirectory(), s.outputPath(), s.environment());
    }

    int gets(String path) {
        return wm.findAll(getRequestedFor(urlPathEqualTo(path))).size();
    }

    int posts() {
        return wm.findAll(postRequestedFor(urlPathEqualTo(JOBS))).size();
    }

    double counter(String name, String... tags) {
        var c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    // ------------------------------------------------------------ idempotent calls

    @Test
    void aBurstOf5xxIsRetriedUntilTheBackendRecovers() {
        answers(listing(JOBS), json(500, error("Command execution failed")), json(503, error("Service unavailable")),
                oneJob("4242"));

        List<JobInfo> found = daint().jobs(Set.of("4242"), null);

        assertThat(found).extracting(JobInfo::id).containsExactly("4242");
        assertThat(gets(JOBS)).isEqualTo(3);
        // Exponential with jitter: the first wait is 125-250 ms, the second 250-500 ms.
        assertThat(time.sleeps()).hasSize(2);
        assertThat(time.sleeps().get(0)).isBetween(Duration.ofMillis(125), Duration.ofMillis(250));
        assertThat(time.sleeps().get(1)).isBetween(Duration.ofMillis(250), Duration.ofMillis(500));
        assertThat(counter("hpcspawner.scheduler.retries", "system", "daint", "call", "jobs")).isEqualTo(2);
    }

    @Test
    void retriesAreBoundedAndTheFailureStaysTransient() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(500, error("Command execution failed"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> daint().jobs(Set.of("1"), null));

        assertThat(gets(JOBS)).isEqualTo(3);
        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("HTTP 500").hasMessageContaining("Command execution failed")
                .hasMessageContaining("gave up after 3 attempts");
    }

    @Test
    void retriesStopWhenTheCallsTimeIsUp() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(502, error("Bad gateway"))));
        ResiliencePolicy.Retry patient = new ResiliencePolicy.Retry(10, Duration.ofSeconds(1), Duration.ofSeconds(8),
                0, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(2));
        GuardedScheduler s = resilient("daint", adapter("daint", Duration.ofSeconds(5)),
                new ResiliencePolicy(patient, new ResiliencePolicy.Breaker(100, Duration.ofSeconds(30)),
                        ResiliencePolicy.Submits.defaults()));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> s.jobs(Set.of("1"), null));

        // Waits 1 + 2 + 4 s fit in 10 s; the next (8 s) does not.
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(gets(JOBS)).isEqualTo(4);
        assertThat(e).hasMessageContaining("gave up after 4 attempts");
    }

    @Test
    void clientErrorsAreNotRetried() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(403, error("Permission denied"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> daint().jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isFalse();
        assertThat(gets(JOBS)).isEqualTo(1);
        assertThat(time.sleeps()).isEmpty();
    }

    /** Counts the calls that reach the adapter: the attempts the fault handling made. */
    static final class Attempts extends ForwardingScheduler {
        final AtomicInteger jobs = new AtomicInteger();
        final AtomicInteger tails = new AtomicInteger();

        Attempts(Scheduler delegate) {
            super(delegate);
        }

        @Override
        public List<JobInfo> jobs(Set<String> jobIds, String namePrefix) {
            jobs.incrementAndGet();
            return super.jobs(jobIds, namePrefix);
        }

        @Override
        public String tail(String path, String user, int lines) {
            tails.incrementAndGet();
            return super.tail(path, user, lines);
        }
    }

    @Test
    void aResetConnectionIsRetried() {
        wm.stubFor(get(urlPathEqualTo("/filesystem/daint/ops/stat")).willReturn(json(200, JobModelBodies.stat(6))));
        answers(() -> get(urlPathEqualTo("/filesystem/daint/ops/tail")), dropped(), dropped(), dropped(),
                json(200, JobModelBodies.fileFrom("ready\n", 1)));
        Attempts attempts = new Attempts(adapter("daint", Duration.ofSeconds(5)));

        assertThat(resilient("daint", attempts, POLICY).tail("/users/alice/out.log", "alice", 10)).isEqualTo("ready\n");

        // The JDK client itself resends a GET once when the connection drops before any answer, so
        // an attempt is one or two requests; the fault handling retried on top of that.
        assertThat(gets("/filesystem/daint/ops/tail")).isEqualTo(4);
        assertThat(attempts.tails.get()).isBetween(2, 3);
        assertThat(time.sleeps()).hasSize(attempts.tails.get() - 1);
    }

    /**
     * The timeout is 1 s and the slow answer takes 4 s: wide enough that the fast second answer never
     * times out on a loaded machine (with 300 ms it once did: three requests instead of two).
     */
    @Test
    void anAnswerSlowerThanTheTimeoutIsRetried() {
        answers(() -> get(urlPathEqualTo("/status/daint/partitions")),
                json(200, "{\"partitions\":[]}").withFixedDelay(4000),
                json(200, "{\"partitions\":[{\"name\":\"normal\",\"cpus\":128,\"totalNodes\":4,\"partition\":\"UP\"}]}"));
        noNodes();
        GuardedScheduler s = resilient("daint", adapter("daint", Duration.ofSeconds(1)), POLICY);

        long t0 = System.nanoTime();
        List<Partition> partitions = s.partitions();

        assertThat(partitions).extracting(Partition::name).containsExactly("normal");
        assertThat(gets("/status/daint/partitions")).isEqualTo(2);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the slow answer was not waited for")
                .isLessThan(Duration.ofMillis(3500));
    }

    @Test
    void aMalformedBodyIsRetried() {
        excuses.add(new SpecValidator.Excuse("validation.response.body.schema.invalidJson", "",
                "the stub sends a broken body on purpose"));
        answers(() -> get(urlPathEqualTo("/status/daint/userinfo")), json(200, "{\"user\": {\"name\": "),
                json(200, "{\"user\":{\"id\":\"1000\",\"name\":\"alice\"},\"group\":{\"id\":\"1000\",\"name\":\"alice\"},"
                        + "\"groups\":[]}"));

        UserInfo info = daint().userInfo("alice");

        assertThat(info.name()).isEqualTo("alice");
        assertThat(gets("/status/daint/userinfo")).isEqualTo(2);
    }

    @Test
    void cancelIsRetriedAndAJobAlreadyGoneCountsAsCancelled() {
        answers(() -> delete(urlPathEqualTo(JOBS + "/4242")), json(503, error("Service unavailable")),
                json(404, error("Job not found")));

        daint().cancel("4242", "alice");

        assertThat(wm.findAll(deleteRequestedFor(urlPathEqualTo(JOBS + "/4242")))).hasSize(2);
    }

    // ------------------------------------------------------------ 429 / Retry-After

    @Test
    void a429IsHonouredWithItsRetryAfter() {
        answers(listing(JOBS), json(429, error("Too many requests")).withHeader("Retry-After", "7"), oneJob("4242"));

        assertThat(daint().jobs(Set.of("4242"), null)).hasSize(1);

        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(7));
        assertThat(gets(JOBS)).isEqualTo(2);
    }

    @Test
    void a429WithAnHttpDateOrRateLimitResetIsHonouredToo() {
        answers(listing(JOBS),
                json(429, error("Too many requests")).withHeader("Date", "Thu, 15 Jan 2026 10:00:00 GMT")
                        .withHeader("Retry-After", "Thu, 15 Jan 2026 10:00:04 GMT"),
                json(429, error("Too many requests")).withHeader("RateLimit-Reset", "3"), oneJob("4242"));

        assertThat(daint().jobs(Set.of("4242"), null)).hasSize(1);

        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(4), Duration.ofSeconds(3));
    }

    @Test
    void aLongRetryAfterIsCappedAndHoldsBackEveryCallToTheSystem() {
        answers(listing(JOBS), json(429, error("Too many requests")).withHeader("Retry-After", "3600"),
                json(200, "{\"jobs\":[]}"));
        wm.stubFor(get(urlPathEqualTo("/status/daint/partitions")).willReturn(json(200, "{\"partitions\":[]}")));
        noNodes();
        ResiliencePolicy.Retry capped = new ResiliencePolicy.Retry(3, Duration.ofMillis(250), Duration.ofSeconds(4),
                0.5, Duration.ofMinutes(2), Duration.ofSeconds(20), Duration.ofSeconds(2));
        GuardedScheduler s = resilient("daint", adapter("daint", Duration.ofSeconds(5)),
                new ResiliencePolicy(capped, ResiliencePolicy.Breaker.defaults(), ResiliencePolicy.Submits.defaults()));

        s.jobs(Set.of("1"), null);
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(20));

        // The answer came after the wait; later calls do not wait any more.
        s.partitions();
        assertThat(time.sleeps()).hasSize(1);
    }

    @Test
    void aRetryAfterBeyondTheCallsTimeFailsAtOnceSayingWhenToRetry() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(429, error("Too many requests"))
                .withHeader("Retry-After", "25")));
        wm.stubFor(get(urlPathEqualTo("/status/daint/partitions")).willReturn(json(200, "{\"partitions\":[]}")));
        noNodes();
        GuardedScheduler s = daint(); // 15 s per call, Retry-After up to 30 s

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> s.jobs(Set.of("1"), null));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("HTTP 429").hasMessageContaining("retry after 2026-01-15T10:00:25Z");
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(25));
        assertThat(gets(JOBS)).isEqualTo(1);
        assertThat(time.sleeps()).isEmpty();

        // Another call to the same system in the meantime is not sent either: the API asked for quiet.
        SchedulerException held = catchThrowableOfType(SchedulerException.class, s::partitions);
        assertThat(held).hasMessageContaining("asked to wait");
        assertThat(gets("/status/daint/partitions")).isZero();
        time.advance(Duration.ofSeconds(25));
        assertThat(s.partitions()).isEmpty();
    }

    @Test
    void a429WithoutAnyHeaderWaitsPyfirecrestsTenSeconds() {
        answers(listing(JOBS), json(429, error("Too many requests")), json(200, "{\"jobs\":[]}"));

        daint().jobs(Set.of("1"), null);

        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(FirecrestClient.RATE_LIMITED_SECONDS));
    }

    // ------------------------------------------------------------ circuit breaker

    @Test
    void theBreakerOpensPerSystemAndAnotherSystemStaysFast() throws InterruptedException {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\":[]}").withFixedDelay(1000)));
        wm.stubFor(get(urlPathEqualTo(EIGER_JOBS)).willReturn(json(200, "{\"jobs\":[]}")));
        GuardedScheduler daint = resilient("daint", adapter("daint", Duration.ofMillis(200)), QUICK_BREAKER);
        GuardedScheduler eiger = resilient("eiger", adapter("eiger", Duration.ofMillis(200)), POLICY);

        // Five timed-out attempts (3 in the first call, 2 in the second) open daint's breaker.
        catchThrowableOfType(SchedulerException.class, () -> daint.jobs(Set.of("1"), null));
        SchedulerException opened = catchThrowableOfType(SchedulerException.class, () -> daint.jobs(Set.of("1"), null));
        assertThat(gets(JOBS)).isEqualTo(5);
        assertThat(opened).hasMessageContaining("unreachable");

        long t0 = System.nanoTime();
        SchedulerException fast = catchThrowableOfType(SchedulerException.class, () -> daint.jobs(Set.of("1"), null));
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(100));
        assertThat(fast.isTransient()).isTrue();
        assertThat(fast).hasMessageContaining("FirecREST for system daint is unreachable since")
                .hasMessageContaining("next try at").hasMessageContaining("timed out");
        assertThat(gets(JOBS)).as("nothing sent while open").isEqualTo(5);
        assertThat(counter("hpcspawner.scheduler.refused", "system", "daint", "call", "jobs", "reason", "breaker_open"))
                .isEqualTo(2);
        assertThat(meters.get("hpcspawner.scheduler.breaker.open").tag("system", "daint").gauge().value()).isEqualTo(1);

        // eiger is another breaker: unaffected.
        assertThat(eiger.jobs(Set.of("1"), null)).isEmpty();
        assertThat(meters.get("hpcspawner.scheduler.breaker.open").tag("system", "eiger").gauge().value()).isZero();

        // A submit to daint is refused at once too, without taking a bulkhead slot or sending anything.
        SchedulerException submit = catchThrowableOfType(SchedulerException.class,
                () -> daint.submit(submission(NAME)));
        assertThat(submit).hasMessageContaining("unreachable");
        assertThat(posts()).isZero();

        // daint recovers; after the cool-down one probe goes through and closes the breaker.
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\":[]}")));
        coolDown();
        assertThat(daint.jobs(Set.of("1"), null)).isEmpty();
        assertThat(daint.jobs(Set.of("1"), null)).isEmpty();
        assertThat(gets(JOBS)).isEqualTo(7);
        assertThat(meters.get("hpcspawner.scheduler.breaker.open").tag("system", "daint").gauge().value()).isZero();
    }

    @Test
    void aFailedProbeKeepsTheBreakerOpen() throws InterruptedException {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(dropped()));
        Attempts attempts = new Attempts(adapter("daint", Duration.ofSeconds(5)));
        GuardedScheduler s = resilient("daint", attempts, QUICK_BREAKER);
        catchThrowableOfType(SchedulerException.class, () -> s.jobs(Set.of("1"), null));
        catchThrowableOfType(SchedulerException.class, () -> s.jobs(Set.of("1"), null));
        assertThat(attempts.jobs.get()).isEqualTo(5);

        coolDown();
        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> s.jobs(Set.of("1"), null));

        assertThat(attempts.jobs.get()).as("one probe, not a retry loop").isEqualTo(6);
        assertThat(e).hasMessageContaining("unreachable");
        int sent = gets(JOBS);
        assertThat(catchThrowableOfType(SchedulerException.class, () -> s.jobs(Set.of("1"), null)))
                .hasMessageContaining("unreachable");
        assertThat(attempts.jobs.get()).isEqualTo(6);
        assertThat(gets(JOBS)).isEqualTo(sent).isLessThanOrEqualTo(2 * 6);
    }

    @Test
    void errorAnswersAndRateLimitsDoNotOpenTheBreaker() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(404, error("Not found"))));
        wm.stubFor(get(urlPathEqualTo("/status/daint/partitions")).willReturn(json(503, error("Busy"))
                .withHeader("Retry-After", "1")));
        GuardedScheduler s = daint();

        for (int i = 0; i < 10; i++) {
            catchThrowableOfType(SchedulerException.class, () -> s.jobs(Set.of("1"), null));
            catchThrowableOfType(SchedulerException.class, s::partitions);
        }

        assertThat(gets(JOBS)).isEqualTo(10);
        assertThat(gets("/status/daint/partitions")).isEqualTo(30);
        assertThat(meters.get("hpcspawner.scheduler.breaker.open").tag("system", "daint").gauge().value()).isZero();
    }

    // ------------------------------------------------------------ submit

    @Test
    void aSubmitWhoseAnswerWasLostToAResetIsAdoptedNotSentTwice() {
        // The server accepted the job, then the connection dropped before its answer.
        wm.stubFor(post(JOBS).inScenario("submit").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("created")
                .willReturn(dropped()));
        wm.stubFor(post(JOBS).inScenario("submit").whenScenarioStateIs("created")
                .willReturn(json(201, "{\"jobId\":\"4243\"}")));
        wm.stubFor(get(urlPathEqualTo(JOBS)).inScenario("submit").whenScenarioStateIs("created")
                .willReturn(oneJob("4242")));

        String id = daint().submit(submission(NAME));

        assertThat(id).isEqualTo("4242");
        assertThat(posts()).as("exactly one job").isEqualTo(1);
        assertThat(gets(JOBS)).as("one look-up by name").isEqualTo(1);
        assertThat(time.sleeps()).containsExactly(POLICY.retry().submitLookupDelay());
        assertThat(counter("hpcspawner.scheduler.submit.recoveries", "system", "daint", "outcome", "adopted"))
                .isEqualTo(1);
    }

    @Test
    void aSubmitThatTimedOutIsAdoptedWhenTheServerCreatedTheJob() {
        wm.stubFor(post(JOBS).inScenario("submit").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("created")
                .willReturn(json(201, "{\"jobId\":\"4242\"}").withFixedDelay(1500)));
        wm.stubFor(post(JOBS).inScenario("submit").whenScenarioStateIs("created")
                .willReturn(json(201, "{\"jobId\":\"4243\"}")));
        wm.stubFor(get(urlPathEqualTo(JOBS)).inScenario("submit").whenScenarioStateIs("created")
                .willReturn(oneJob("4242")));
        GuardedScheduler s = resilient("daint", adapter("daint", Duration.ofMillis(300)), POLICY);

        assertThat(s.submit(submission(NAME))).isEqualTo("4242");
        assertThat(posts()).isEqualTo(1);
    }

    @Test
    void aSubmitAnswerWithABrokenBodyIsAdopted() {
        excuses.add(new SpecValidator.Excuse("validation.response.body.schema.invalidJson", "",
                "the stub sends a broken body on purpose"));
        wm.stubFor(post(JOBS).inScenario("submit").whenScenarioStateIs(Scenario.STARTED).willSetStateTo("created")
                .willReturn(json(201, "{\"jobId\": \"42")));
        wm.stubFor(get(urlPathEqualTo(JOBS)).inScenario("submit").whenScenarioStateIs("created")
                .willReturn(oneJob("4242")));

        assertThat(daint().submit(submission(NAME))).isEqualTo("4242");
        assertThat(posts()).isEqualTo(1);
    }

    @Test
    void aSubmitIsSentOnceMoreOnlyWhenTheLookUpShowsNoSuchJob() {
        // A 5xx: the server did not create the job this time; the listing proves it.
        answers(() -> post(JOBS), json(500, error("sbatch: error: Slurm temporarily unable to accept job")),
                json(201, "{\"jobId\":\"4242\"}"));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\":[]}")));

        assertThat(daint().submit(submission(NAME))).isEqualTo("4242");

        assertThat(posts()).isEqualTo(2);
        assertThat(gets(JOBS)).isEqualTo(1);
        assertThat(counter("hpcspawner.scheduler.submit.recoveries", "system", "daint", "outcome", "resubmitted"))
                .isEqualTo(1);
    }

    @Test
    void aSubmitIsResentAtMostOnce() {
        wm.stubFor(post(JOBS).willReturn(json(500, error("sbatch: error: Slurm temporarily unable to accept job"))));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\":[]}")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> daint().submit(submission(NAME)));

        assertThat(e.isTransient()).isTrue();
        assertThat(e).hasMessageContaining("no job named " + NAME + " exists").hasMessageContaining("gave up after 2");
        assertThat(posts()).isEqualTo(2);
        assertThat(gets(JOBS)).isEqualTo(2);
    }

    @Test
    void aLostAnswerIsNotResentEvenWhenNoJobIsListedYet() {
        // After a reset, a timeout or a gateway's 504, FirecREST may still be running sbatch: an
        // empty listing does not prove there will be no job, so the submit is not sent again.
        answers(() -> post(JOBS), dropped(), json(504, error("Gateway timeout")), json(201, "{\"jobId\":\"4243\"}"));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, "{\"jobs\":[]}")));
        GuardedScheduler s = daint();

        SchedulerException reset = catchThrowableOfType(SchedulerException.class, () -> s.submit(submission(NAME)));
        SchedulerException gateway = catchThrowableOfType(SchedulerException.class, () -> s.submit(submission(NAME)));

        for (SchedulerException e : List.of(reset, gateway)) {
            assertThat(e.isTransient()).isTrue();
            assertThat(e).hasMessageContaining("no job named " + NAME + " is listed yet, but FirecREST may still be "
                    + "creating it, so the submit was not sent again");
        }
        assertThat(posts()).as("one POST per call").isEqualTo(2);
        assertThat(gets(JOBS)).isEqualTo(2);
        assertThat(counter("hpcspawner.scheduler.submit.recoveries", "system", "daint", "outcome", "unconfirmed"))
                .isEqualTo(2);
    }

    @Test
    void whenTheLookUpFailsTheSubmitIsNotResent() {
        wm.stubFor(post(JOBS).willReturn(dropped()));
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(403, error("Permission denied"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> daint().submit(submission(NAME)));

        assertThat(e.isTransient()).as("the caller may look again").isTrue();
        assertThat(e).hasMessageContaining("looking for a job named " + NAME + " failed too")
                .hasMessageContaining("Permission denied");
        assertThat(posts()).isEqualTo(1);
    }

    @Test
    void aRejectedSubmitIsNeverRetried() {
        wm.stubFor(post(JOBS).willReturn(json(400, error("Invalid partition"))));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> daint().submit(submission(NAME)));

        assertThat(e.isTransient()).isFalse();
        assertThat(e).hasMessageContaining("Invalid partition");
        assertThat(posts()).isEqualTo(1);
        assertThat(gets(JOBS)).as("no look-up: a 4xx created nothing").isZero();
    }

    @Test
    void aRateLimitedSubmitIsNotRetriedButSaysHowLongToWait() {
        wm.stubFor(post(JOBS).willReturn(json(429, error("Too many requests")).withHeader("Retry-After", "12")));

        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> daint().submit(submission(NAME)));

        assertThat(e.isTransient()).isTrue();
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(12));
        assertThat(posts()).isEqualTo(1);
        assertThat(gets(JOBS)).isZero();
    }

    /**
     * Issue 9, item 5: a 429 on the submit made no job, so the start (spawn/PatientSubmit, over
     * this layer) sends it again once the {@code Retry-After} has passed; before, the start failed
     * at once. The wait moves the fake clock.
     */
    @Test
    void aRateLimitedStartIsSubmittedAgainAfterItsRetryAfter() throws Exception {
        answers(() -> post(urlPathEqualTo(JOBS)), json(429, error("Too many requests")).withHeader("Retry-After", "2"),
                json(201, "{\"jobId\":\"4242\"}"));
        List<String> notes = new ArrayList<>();
        PatientSubmit patient = new PatientSubmit(time, time, Duration.ofMinutes(2), Duration.ofSeconds(1));

        String id = patient.submit(daint(), submission(NAME), "daint", time.instant(), new PatientSubmit.Progress() {
            @Override
            public void waiting(String text) {
                notes.add(text);
            }

            @Override
            public boolean withdrawn() {
                return false;
            }
        });

        assertThat(id).isEqualTo("4242");
        assertThat(posts()).as("two POSTs, one job").isEqualTo(2);
        assertThat(gets(JOBS)).as("no look-up: a 429 made nothing").isZero();
        assertThat(time.sleeps()).containsExactly(Duration.ofSeconds(2));
        assertThat(notes).singleElement().asString().contains("HTTP 429").contains("trying again in 2 s");
    }

    @Test
    void a404RightAfterASubmitIsNotReadAsTheJobBeingGone() {
        wm.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"4242\"}")));
        // FirecREST's listing comes from squeue/sacct over SSH and may not know a fresh job yet.
        answers(listing(JOBS), json(404, error("Job not found")), json(200, "{\"jobs\":[]}"), oneJob("4242"));
        GuardedScheduler s = daint();

        String id = s.submit(submission(NAME));

        // A 404 is an error, never an empty answer: callers keep the job as "unknown".
        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> s.jobs(Set.of(id), null));
        assertThat(e).isNotNull();
        assertThat(gets(JOBS)).as("a 4xx is not retried").isEqualTo(1);
        // A listing without the job is the scheduler's answer; Reconciler applies its grace period to it.
        assertThat(s.jobs(Set.of(id), null)).isEmpty();
        assertThat(s.jobs(Set.of(id), null)).extracting(JobInfo::id).containsExactly("4242");
        assertThat(posts()).isEqualTo(1);
    }

    // ------------------------------------------------------------ bulkhead

    /** Counts the submits under way in the adapter, and the most at once. */
    static final class Counting extends ForwardingScheduler {
        final AtomicInteger now = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();

        Counting(Scheduler delegate) {
            super(delegate);
        }

        @Override
        public String submit(JobSubmission request) {
            most.accumulateAndGet(now.incrementAndGet(), Math::max);
            try {
                return super.submit(request);
            } finally {
                now.decrementAndGet();
            }
        }
    }

    @Test
    void theBulkheadBoundsConcurrentSubmits() throws Exception {
        wm.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"4242\"}").withFixedDelay(300)));
        Counting counting = new Counting(adapter("daint", Duration.ofSeconds(5)));
        GuardedScheduler s = resilient("daint", counting, new ResiliencePolicy(POLICY.retry(), POLICY.breaker(),
                new ResiliencePolicy.Submits(2, Duration.ofSeconds(10))));
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String name = NAME + i;
                results.add(pool.submit(() -> s.submit(submission(name))));
            }
            for (Future<String> f : results) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("4242");
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(posts()).isEqualTo(6);
        assertThat(counting.most.get()).isEqualTo(2);
        assertThat(meters.get("hpcspawner.scheduler.submits.in.flight").tag("system", "daint").gauge().value()).isZero();
    }

    @Test
    void aFullBulkheadFailsClearlyAfterItsWait() throws Exception {
        wm.stubFor(post(JOBS).willReturn(json(201, "{\"jobId\":\"4242\"}").withFixedDelay(2000)));
        GuardedScheduler s = resilient("daint", adapter("daint", Duration.ofSeconds(5)), new ResiliencePolicy(
                POLICY.retry(), POLICY.breaker(), new ResiliencePolicy.Submits(1, Duration.ofMillis(100))));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> first = pool.submit(() -> s.submit(submission(NAME + "1")));
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> posts() == 1);

            SchedulerException full = catchThrowableOfType(SchedulerException.class,
                    () -> s.submit(submission(NAME + "2")));

            assertThat(full.isTransient()).isTrue();
            assertThat(full).hasMessageContaining("Too many submits in flight on system daint (1 at once)");
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("4242");
        } finally {
            pool.shutdownNow();
        }
        assertThat(posts()).isEqualTo(1);
        assertThat(counter("hpcspawner.scheduler.refused", "system", "daint", "call", "submit", "reason", "submits_full"))
                .isEqualTo(1);
    }
}
