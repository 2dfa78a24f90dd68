package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.error;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.job;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.jobs;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.validationError;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.withStatus;
import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.support.FakeTime;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job listing's {@code time_window}: the narrowest window FirecREST takes that still shows
 * every job that ended since the last listing that succeeded, the server's default after a start,
 * a wider one after failed listings, and none from the first refusal on. Every exchange is checked
 * against the 2.5.6 document, which lacks the parameter ({@link SpecValidator#V2_ADDITIONS}).
 */
class FirecrestListingWindowTest {

    static final String JOBS = "/compute/daint/jobs";
    static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();
    FakeTime clock;
    FirecrestV2Scheduler scheduler;

    @BeforeEach
    void reset() {
        clock = new FakeTime(T0);
        scheduler = new FirecrestV2Scheduler(URI.create(wm.baseUrl()), "daint", FirecrestV2SchedulerTest.TOKENS,
                Duration.ofSeconds(5), new ObjectMapper(), clock);
    }

    @AfterEach
    void everyExchangeFollowsTheSpec() {
        assertThat(SpecValidator.V2.problems(wm.getAllServeEvents(), List.of())).isEmpty();
    }

    private List<String> windowsSent() {
        List<ServeEvent> events = new ArrayList<>(wm.getAllServeEvents());
        java.util.Collections.reverse(events); // the journal is newest first
        return events.stream().filter(e -> e.getRequest().getUrl().startsWith(JOBS))
                .map(e -> e.getRequest().queryParameter("time_window"))
                .map(q -> q.isPresent() ? q.firstValue() : "none").toList();
    }

    @Test
    void aStartAsksForTheServersDefaultThenTheNarrowestWindowSinceTheLastGoodListing() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, jobs(job("1", "hpcsp-a", "alice", "RUNNING")))));

        scheduler.jobs(Set.of("1"), null);
        clock.advance(Duration.ofSeconds(2));
        scheduler.jobs(Set.of("1"), null);
        clock.advance(Duration.ofSeconds(30));
        scheduler.jobs(Set.of("1"), null);

        assertThat(windowsSent()).containsExactly("24h", "1h", "1h");
        wm.verify(3, getRequestedFor(urlPathEqualTo(JOBS)).withQueryParam("allusers", equalTo("true")));
    }

    @Test
    void failedListingsWidenTheNextWindowToCoverTheTimeSinceTheLastGoodOne() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, jobs())));
        scheduler.jobs(Set.of("1"), null);
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(503, error("The scheduler service for the requested system"
                + " (daint) is unhealthy."))));
        for (int i = 0; i < 3; i++) { // FirecREST is out for 2 hours
            clock.advance(Duration.ofMinutes(40));
            assertThatThrownBy(() -> scheduler.jobs(Set.of("1"), null)).isInstanceOf(SchedulerException.class);
        }
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, jobs())));
        clock.advance(Duration.ofSeconds(2));
        scheduler.jobs(Set.of("1"), null);
        clock.advance(Duration.ofSeconds(2));
        scheduler.jobs(Set.of("1"), null);

        // Each failed try asks for the time since the last good listing plus the 5 min margin (45 min:
        // 1h, 85 and 125 min: 8h), so does the first good one after the outage (2 h 2 s: 8h); then narrow again.
        assertThat(windowsSent()).containsExactly("24h", "1h", "8h", "8h", "8h", "1h");
    }

    @Test
    void aServerThatRefusesTheParameterIsListedWithoutItFromThenOn() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).withQueryParam("time_window", absent())
                .willReturn(json(200, jobs(job("1", "hpcsp-a", "alice", "RUNNING")))));
        wm.stubFor(get(urlPathEqualTo(JOBS)).withQueryParam("time_window", equalTo("24h")).willReturn(json(400,
                validationError("Request validation error", "query", "time_window", "Extra inputs are not permitted"))));

        List<JobInfo> first = scheduler.jobs(Set.of("1"), null);
        clock.advance(Duration.ofSeconds(2));
        List<JobInfo> second = scheduler.jobs(Set.of("1"), null);

        assertThat(first).extracting(JobInfo::id).containsExactly("1");
        assertThat(second).extracting(JobInfo::id).containsExactly("1");
        assertThat(windowsSent()).containsExactly("24h", "none", "none");
    }

    @Test
    void aRefusalThatIsNotAboutTheWindowIsNotRemembered() {
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(400, error("System 'daint' is not a valid system"))));

        assertThatThrownBy(() -> scheduler.jobs(Set.of("1"), null)).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("not a valid system");
        clock.advance(Duration.ofSeconds(2));
        assertThatThrownBy(() -> scheduler.jobs(Set.of("1"), null)).isInstanceOf(SchedulerException.class);

        assertThat(windowsSent()).containsExactly("24h", "none", "24h", "none");
    }

    /**
     * The listing's size per poll with 200 jobs that ended over the last 24 hours and 3 active
     * ones, polled every 2 s for a minute, without and with {@code time_window}.
     */
    @Test
    void measuredListingSizePerPoll() {
        List<ObjectNode> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // ended evenly over the last 24 h
            ObjectNode j = withStatus(job(Integer.toString(1000 + i), "hpcsp-u" + i + "-lab", "user" + (i % 40),
                    "COMPLETED"), "COMPLETED", "None", 0, null);
            long end = T0.minus(Duration.ofMinutes(7).multipliedBy(i + 1)).getEpochSecond();
            ((ObjectNode) j.get("time")).put("end", end);
            ((ObjectNode) j.get("time")).put("start", end - 3600);
            all.add(j);
        }
        for (int i = 0; i < 3; i++) {
            all.add(job(Integer.toString(2000 + i), "hpcsp-a" + i + "-lab", "alice", "RUNNING"));
        }
        for (String w : JobListings.WINDOWS.keySet()) {
            List<ObjectNode> listed = all.stream()
                    .filter(j -> JobListings.listed(j, JobListings.WINDOWS.get(w), T0)).toList();
            wm.stubFor(get(urlPathEqualTo(JOBS)).withQueryParam("time_window", equalTo(w)).willReturn(json(200, jobs(listed))));
        }
        wm.stubFor(get(urlPathEqualTo(JOBS)).withQueryParam("time_window", absent()).willReturn(json(200, jobs(all))));

        long[] before = measure(false);
        long[] after = measure(true);

        System.out.printf("BENCH firecrest-v2 listing, 200 jobs ended in the last 24 h + 3 active, a poll every 2 s for"
                + " 1 min: without time_window %d bytes per poll (%d per minute); with time_window first poll %d bytes"
                + " (24h), then %d bytes per poll (1h), %d per minute%n", before[0], before[1], after[0], after[2],
                after[1]);
        assertThat(after[2]).isLessThan(before[0] / 10);
    }

    /** {first poll's bytes, bytes in one minute, a later poll's bytes}. */
    private long[] measure(boolean windowed) {
        wm.resetRequests();
        FirecrestV2Scheduler s = new FirecrestV2Scheduler(URI.create(wm.baseUrl()), "daint",
                FirecrestV2SchedulerTest.TOKENS, Duration.ofSeconds(5), new ObjectMapper(), clock);
        if (!windowed) { // an older server: refused once, then never sent again
            wm.stubFor(get(urlPathEqualTo(JOBS)).withQueryParam("time_window", equalTo("24h")).atPriority(1)
                    .willReturn(json(422, validationError("Request validation error", "query", "time_window", "unknown"))));
        }
        for (int i = 0; i < 30; i++) {
            assertThat(s.jobs(Set.of("2000", "2001", "2002"), null)).hasSize(3);
            clock.advance(Duration.ofSeconds(2));
        }
        if (!windowed) {
            wm.removeStub(wm.getStubMappings().stream().filter(m -> m.getPriority() != null && m.getPriority() == 1)
                    .findFirst().orElseThrow());
        }
        List<ServeEvent> events = new ArrayList<>(wm.getAllServeEvents());
        java.util.Collections.reverse(events);
        List<Long> sizes = events.stream().filter(e -> e.getResponse().getStatus() == 200)
                .map(e -> (long) e.getResponse().getBodyAsString().getBytes(StandardCharsets.UTF_8).length).toList();
        return new long[] {sizes.get(0), sizes.stream().mapToLong(Long::longValue).sum(), sizes.get(sizes.size() - 1)};
    }
}
