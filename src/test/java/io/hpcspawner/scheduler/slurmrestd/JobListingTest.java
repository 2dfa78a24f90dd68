package io.hpcspawner.scheduler.slurmrestd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.scheduler.JobListing;
import io.hpcspawner.spawn.port.JobInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A listing read as a stream says the same of every job as the whole answer read as a tree, in
 * both data-parser dialects (recorded answers of Slurm 22.05 and 24.11), and keeps of each job only
 * the fields the service reads.
 */
class JobListingTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final java.util.Set<String> FIELDS = SlurmrestdScheduler.LISTED_JOB_FIELDS;

    /** What the watcher takes from a job: its info, and the queue keys of a pending one. */
    record Read(JobInfo info, String partition, Optional<Long> priority) {
    }

    static List<Read> asTree(JsonNode answer, SlurmrestdDialect d) {
        List<Read> read = new ArrayList<>();
        answer.path("jobs").forEach(j -> read.add(new Read(d.toJobInfo(j), j.path("partition").asText(""), d.priority(j))));
        return read;
    }

    static List<Read> asStream(JsonNode answer, SlurmrestdDialect d) throws Exception {
        List<Read> read = new ArrayList<>();
        JobListing.Rest rest = JobListing.read(new java.io.ByteArrayInputStream(JSON.writeValueAsBytes(answer)), JSON, FIELDS, j -> {
            assertThat(j.fieldNames()).toIterable().allSatisfy(f -> assertThat(FIELDS).contains(f));
            read.add(new Read(d.toJobInfo(j), j.path("partition").asText(""), d.priority(j)));
        });
        assertThat(rest.fields().has("jobs")).isFalse();
        assertThat(rest.fields().path("errors").isArray()).as("the errors are kept").isTrue();
        return read;
    }

    /** The recorded jobs, and each again as a pending job with a priority, so the queue keys are compared too. */
    static JsonNode withPendingCopies(JsonNode answer, JsonNode pendingState, JsonNode priority) {
        ObjectNode copy = answer.deepCopy();
        ArrayNode jobs = (ArrayNode) copy.path("jobs");
        int n = jobs.size();
        for (int i = 0; i < n; i++) {
            ObjectNode pending = jobs.get(i).deepCopy();
            pending.put("job_id", 900000 + i);
            pending.set("job_state", pendingState);
            pending.put("state_reason", "Priority");
            pending.set("priority", priority);
            jobs.add(pending);
        }
        return copy;
    }

    @ParameterizedTest
    @EnumSource(value = SlurmrestdApiVersion.class, names = {"V0_0_40", "V0_0_41", "V0_0_42"})
    void aSlurm2411ListingReadsTheSameAsATree(SlurmrestdApiVersion v) throws Exception {
        JsonNode recorded = JSON.readTree(SlurmrestdSpecs.read("/slurmrestd/slurm-24.11/slurm-" + v + "-jobs.json"));
        JsonNode answer = withPendingCopies(recorded, JSON.readTree("[\"PENDING\"]"),
                JSON.readTree("{\"set\": true, \"infinite\": false, \"number\": 4242}"));
        List<Read> tree = asTree(answer, v.dialect());
        assertThat(tree).hasSize(2 * recorded.path("jobs").size())
                .anySatisfy(r -> assertThat(r.priority()).contains(4242L));
        assertThat(asStream(answer, v.dialect())).isEqualTo(tree);
    }

    @Test
    void aSlurm2205ListingReadsTheSameAsATree() throws Exception {
        JsonNode recorded = JSON.readTree(Path.of("src/test/resources/slurmrestd/jobs.json").toFile()).path("response");
        ObjectNode answer = (ObjectNode) withPendingCopies(recorded, JSON.readTree("\"PENDING\""), JSON.readTree("4242"));
        for (String file : new String[] {"job-get-running.json", "job-get-cancelled.json"}) {
            ((ArrayNode) answer.path("jobs")).addAll((ArrayNode) JSON.readTree(Path.of("src/test/resources/slurmrestd")
                    .resolve(file).toFile()).path("response").path("jobs"));
        }
        List<Read> tree = asTree(answer, new V0038Dialect());
        assertThat(tree).hasSizeGreaterThanOrEqualTo(4).anySatisfy(r -> assertThat(r.priority()).contains(4242L));
        assertThat(asStream(answer, new V0038Dialect())).isEqualTo(tree);
    }

    @Test
    void whatIsNotAJobListIsToldApart() throws Exception {
        assertThat(JobListing.read(in("{\"jobs\": null, \"errors\": []}"), JSON, FIELDS, j -> { }).jobs())
                .contains(com.fasterxml.jackson.databind.node.JsonNodeType.NULL);
        assertThat(JobListing.read(in("{\"errors\": []}"), JSON, FIELDS, j -> { }).jobs()).isEmpty();
        assertThat(JobListing.read(in("{\"jobs\": []}"), JSON, FIELDS, j -> { }).jobs())
                .contains(com.fasterxml.jackson.databind.node.JsonNodeType.ARRAY);
    }

    static java.io.InputStream in(String body) {
        return new java.io.ByteArrayInputStream(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
