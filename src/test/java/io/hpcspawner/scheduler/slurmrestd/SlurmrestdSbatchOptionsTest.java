package io.hpcspawner.scheduler.slurmrestd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sbatch-options table: what each option becomes per version, and what start-up refuses. */
class SlurmrestdSbatchOptionsTest {

    static JsonNode job(SlurmrestdApiVersion v, String... options) {
        return v.dialect().submitBody(SlurmrestdContractTest.submission(List.of(options)), SlurmrestdContractTest.JSON)
                .path("job");
    }

    @Test
    void gresItemsAndGpusBecomeTresStringsFromV0040On() {
        JsonNode job = job(SlurmrestdApiVersion.V0_0_42, "--gres=gpu:a100:2,shard:1", "--gpus-per-node=a100:1",
                "--gpus=4");
        assertThat(job.path("tres_per_node").asText()).isEqualTo("gres/gpu:a100:2,gres/shard:1,gres/gpu:a100:1");
        assertThat(job.path("tres_per_job").asText()).isEqualTo("gres/gpu:4");
        JsonNode old = job(SlurmrestdApiVersion.V0_0_38, "--gres=gpu:a100:2,shard:1", "--gpus=4");
        assertThat(old.path("gres").asText()).isEqualTo("gpu:a100:2,shard:1");
        assertThat(old.path("gpus").asText()).isEqualTo("4");
    }

    @Test
    void nodeRangesExclusiveModesAndMemory() {
        JsonNode job = job(SlurmrestdApiVersion.V0_0_40, "--nodes=1-3", "--exclusive=user", "--mem=8G");
        assertThat(job.path("minimum_nodes").asInt()).isEqualTo(1);
        assertThat(job.path("maximum_nodes").asInt()).isEqualTo(3);
        assertThat(job.path("shared").toString()).isEqualTo("[\"user\"]");
        assertThat(job.path("memory_per_node").path("number").asLong()).isEqualTo(8192); // replaces the profile's 4G
        assertThat(job(SlurmrestdApiVersion.V0_0_38, "--nodes=2", "--exclusive=mcs").toString())
                .contains("\"nodes\":[2,2]", "\"exclusive\":\"mcs\"");
    }

    @Test
    void optionsWithoutAFieldOrInTheWrongFormAreRefusedWithTheReason() {
        assertThat(SbatchOptionFields.refusal("--qos=high")).isEmpty();
        assertThat(SbatchOptionFields.refusal("--exclusive")).isEmpty();
        assertThat(SbatchOptionFields.refusal("--mail-type=END")).get().asString()
                .contains("cannot be sent through slurmrestd").contains("--constraint");
        assertThat(SbatchOptionFields.refusal("--exclusive=topo")).get().asString().contains("--exclusive");
        assertThat(SbatchOptionFields.refusal("--mem=lots")).get().asString().contains("--mem=8G");
        assertThat(SbatchOptionFields.refusal("--qos")).get().asString().contains("--qos=high");
    }
}
