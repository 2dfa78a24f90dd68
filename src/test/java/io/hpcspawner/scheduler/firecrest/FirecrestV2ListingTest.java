package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.job;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.jobs;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.withStatus;
import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.hpcspawner.scheduler.JobListing;
import io.hpcspawner.spawn.port.JobInfo;
import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * FirecREST v2's listing of every visible job ({@code allusers=true}: the whole cluster) read as a
 * stream: each job says the same as in the whole answer read as a tree, and a 10,000-job listing is
 * read without building that tree. Every exchange is checked against the 2.5.6 document.
 */
class FirecrestV2ListingTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String JOBS = "/compute/daint/jobs";

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort()).build();

    final FirecrestV2Scheduler scheduler = new FirecrestV2Scheduler(URI.create(wm.baseUrl()), "daint",
            FirecrestV2SchedulerTest.TOKENS, Duration.ofSeconds(30), JSON);

    @AfterEach
    void everyExchangeFollowsTheSpec() {
        assertThat(SpecValidator.V2.problems(wm.getAllServeEvents(), List.of())).isEmpty();
    }

    /** What the watcher takes from a listed job: its info, and the queue keys of a pending one. */
    record Read(JobInfo info, boolean pending, String partition, long priority) {
        static Read of(JsonNode j) {
            return new Read(JobModels.fromV2(j), JobModels.isPending(j), JobModels.text(j.path("partition")),
                    j.path("priority").asLong(0));
        }
    }

    @Test
    void eachStreamedJobSaysWhatTheWholeJobSays() throws Exception {
        JsonNode answer = JSON.readTree(jobs(Stream.of(
                job("1", "hpcspawner-alice-default", "alice", "RUNNING"),
                withStatus(job("2", "hpcspawner-bob-gpu", "bob", "PENDING"), "PENDING", "Priority", 0, null),
                withStatus(job("3", "other", "carol", "FAILED"), "FAILED", "NonZeroExitCode", 3, null),
                withStatus(job("4", "other", "dave", "CANCELLED by 1234"), "CANCELLED by 1234", "None", 0, 9),
                withStatus(job("5", "other", "erin", "COMPLETED"), "COMPLETED", null, null, null))
                .toList()));
        List<Read> whole = new ArrayList<>();
        answer.path("jobs").forEach(j -> whole.add(Read.of(j)));

        List<Read> streamed = new ArrayList<>();
        JobListing.Rest rest = JobListing.read(new ByteArrayInputStream(JSON.writeValueAsBytes(answer)), JSON,
                FirecrestV2Scheduler.LISTED_JOB_FIELDS, j -> {
                    assertThat(j.fieldNames()).toIterable().isSubsetOf(FirecrestV2Scheduler.LISTED_JOB_FIELDS);
                    streamed.add(Read.of(j));
                });

        assertThat(rest.object()).isTrue();
        assertThat(streamed).hasSize(5).isEqualTo(whole);
    }

    /**
     * Reading the answer as a tree allocates (and holds until the last job is read) several times
     * the body; the stream keeps of each job only a few fields, dropped once the job is looked at.
     */
    @Test
    void tenThousandJobsAreReadWithoutBuildingTheListingsTree() throws Exception {
        List<ObjectNode> listed = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            String id = Integer.toString(100_000 + i);
            listed.add(i % 2 == 0 ? job(id, "other-" + i, "user" + i, "RUNNING")
                    : withStatus(job(id, "other-" + i, "user" + i, "PENDING"), "PENDING", "Priority", 0, null));
        }
        listed.set(9_999, withStatus(job("109999", "hpcspawner-alice-default", "alice", "PENDING"), "PENDING",
                "Priority", 0, null));
        String body = jobs(listed);
        wm.stubFor(get(urlPathEqualTo(JOBS)).willReturn(json(200, body)));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        scheduler.jobs(Set.of("warm-up"), null); // class loading and the first connection are not the listing's

        long tree = allocatedBy(() -> JSON.readTree(bytes));
        List<JobInfo> found = new ArrayList<>();
        long streamed = allocatedBy(() -> found.addAll(scheduler.jobs(Set.of("109999"), null)));

        assertThat(found).singleElement().satisfies(j -> {
            assertThat(j.name()).isEqualTo("hpcspawner-alice-default");
            assertThat(j.queuePosition()).as("behind the other 4,999 pending jobs of equal priority and lower id")
                    .contains(5_000);
        });
        assertThat(streamed).as("bytes allocated reading the listing (%,d B) vs its tree (%,d B), body %,d B",
                streamed, tree, bytes.length).isLessThan(tree * 3 / 4);
    }

    interface Work {
        void run() throws Exception;
    }

    /** The bytes this thread allocated while {@code work} ran (the parsing happens on the caller's thread). */
    static long allocatedBy(Work work) throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(id);
        work.run();
        return threads.getThreadAllocatedBytes(id) - before;
    }
}
