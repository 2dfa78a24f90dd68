package io.hpcspawner.scheduler.slurmrestd;

import static io.hpcspawner.scheduler.slurmrestd.SlurmrestdContractTest.JSON;
import static io.hpcspawner.scheduler.slurmrestd.SlurmrestdContractTest.adapter;
import static io.hpcspawner.scheduler.slurmrestd.SlurmrestdContractTest.example;
import static io.hpcspawner.scheduler.slurmrestd.SlurmrestdContractTest.recorded2411;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the options form reads from slurmrestd: partitions with their limits, their load counted
 * from one {@code GET nodes}, and the reservations. Answers are the real ones recorded from Slurm
 * 24.11 and 22.05 (slurm-24.11/*-nodes.json, *-reservations.json, nodes.json, reservations.json),
 * changed only where a test needs limits, busy nodes or reservations the local clusters do not
 * have; every exchange validates against the document the server serves (for 22.05 the requests).
 */
class SlurmrestdClusterReadsTest {

    static final long START = 1796284800L;
    static final long END = 1796292000L;

    @RegisterExtension
    static final WireMockExtension wiremock = SlurmrestdContractTest.standIn();

    private static void stub(String method, String path, int status, String body) {
        SlurmrestdContractTest.stub(wiremock, method, path, status, body);
    }

    @ParameterizedTest
    @EnumSource(value = SlurmrestdApiVersion.class, names = {"V0_0_40", "V0_0_41", "V0_0_42"})
    void partitionsCarryTheirLimitsAndTheLoadCountedFromTheNodes(SlurmrestdApiVersion v) throws Exception {
        SlurmrestdDialect d = v.dialect();
        ObjectNode partitions = (ObjectNode) JSON.readTree(recorded2411(v, "partitions"));
        ObjectNode max = (ObjectNode) partitions.path("partitions").path(0).path("maximums");
        max.putObject("time").put("set", true).put("infinite", false).put("number", 720);
        max.putObject("nodes").put("set", true).put("infinite", false).put("number", 4);
        ObjectNode nodes = (ObjectNode) JSON.readTree(recorded2411(v, "nodes"));
        ObjectNode idle = (ObjectNode) nodes.path("nodes").path(0);
        ObjectNode drained = idle.deepCopy().put("name", "vm2");
        drained.putArray("state").add("IDLE").add("DRAIN");
        ObjectNode mixed = idle.deepCopy().put("name", "vm3").put("alloc_cpus", 1).put("alloc_idle_cpus", 1);
        mixed.putArray("state").add("MIXED");
        ((ArrayNode) nodes.path("nodes")).add(drained).add(mixed);
        stub("GET", d.partitionsPath(), 200, partitions.toString());
        stub("GET", d.nodesPath(), 200, nodes.toString());

        assertThat(adapter(wiremock, Optional.of(v)).partitions())
                .containsExactly(new Partition("debug", "UP", 2, 1, 720, 4, 1, 1, 3, 1));
        assertThat(SlurmrestdSpecs.problems(SlurmrestdSpecs.validatorFor(v), wiremock.getAllServeEvents())).isEmpty();
    }

    @Test
    void whenTheNodesCallFailsThePartitionsStillComeWithTheirLoadUnknown() throws Exception {
        SlurmrestdDialect d = SlurmrestdApiVersion.V0_0_42.dialect();
        stub("GET", d.partitionsPath(), 200, recorded2411(SlurmrestdApiVersion.V0_0_42, "partitions"));
        stub("GET", d.nodesPath(), 500, "{\"nodes\": [], \"last_update\": {}, \"errors\": [{\"description\":"
                + " \"Unable to query nodes\", \"error_number\": 1007, \"error\": \"Protocol authentication error\"}],"
                + " \"warnings\": []}");

        assertThat(adapter(wiremock, Optional.of(SlurmrestdApiVersion.V0_0_42)).partitions())
                .containsExactly(new Partition("debug", "UP", 2, 1, 0, 0, -1, -1, -1, -1));
    }

    @ParameterizedTest
    @EnumSource(value = SlurmrestdApiVersion.class, names = {"V0_0_40", "V0_0_41", "V0_0_42"})
    void reservationsSayWhoMayUseThemAndWhen(SlurmrestdApiVersion v) throws Exception {
        ObjectNode answer = (ObjectNode) JSON.readTree(recorded2411(v, "reservations"));
        ArrayNode list = (ArrayNode) answer.path("reservations");
        list.add(reservation2411("course", "debug", "alice,bob", "", "").set("end_time", time(END)));
        list.add(reservation2411("maint", "", "", "", "admins").set("end_time",
                JSON.createObjectNode().put("set", false).put("infinite", true).put("number", 0)));
        stub("GET", v.dialect().reservationsPath(), 200, answer.toString());

        assertThat(adapter(wiremock, Optional.of(v)).reservations()).containsExactly(
                new Reservation("course", Optional.of("debug"), Instant.ofEpochSecond(START), Instant.ofEpochSecond(END),
                        Optional.of(List.of("alice", "bob")), Optional.of(List.of())),
                // for a Unix group: who may use it is unknown; no end: it never ends
                new Reservation("maint", Optional.empty(), Instant.ofEpochSecond(START), Instant.MAX, Optional.empty(),
                        Optional.empty()));
        assertThat(SlurmrestdSpecs.problems(SlurmrestdSpecs.validatorFor(v), wiremock.getAllServeEvents())).isEmpty();
    }

    @Test
    void slurm2205ReservationsAndLimitsAreRead() throws Exception {
        SlurmrestdApiVersion v = SlurmrestdApiVersion.V0_0_38;
        ObjectNode answer = (ObjectNode) JSON.readTree(example("reservations.json"));
        ((ArrayNode) answer.path("reservations")).addObject().put("name", "course").put("partition", "debug")
                .put("users", "").put("accounts", "proj1,-proj2").put("groups", "").put("start_time", START)
                .put("end_time", END).put("node_list", "vm").put("node_count", 1);
        ObjectNode partitions = (ObjectNode) JSON.readTree(example("partitions.json"));
        ((ObjectNode) partitions.path("partitions").path(0)).put("max_time_limit", 1440).put("maximum_nodes_per_job", 2);
        stub("GET", v.dialect().reservationsPath(), 200, answer.toString());
        stub("GET", v.dialect().partitionsPath(), 200, partitions.toString());
        stub("GET", v.dialect().nodesPath(), 200, example("nodes.json"));
        SlurmrestdScheduler slurm = adapter(wiremock, Optional.of(v));

        assertThat(slurm.reservations()).containsExactly(new Reservation("course", Optional.of("debug"),
                Instant.ofEpochSecond(START), Instant.ofEpochSecond(END), Optional.of(List.of()),
                Optional.of(List.of("proj1", "-proj2"))));
        assertThat(slurm.partitions()).containsExactly(new Partition("debug", "UP", 2, 1, 1440, 2, 0, 1, 0, 2));
        assertThat(SlurmrestdSpecs.problems(SlurmrestdSpecs.validatorFor(v), wiremock.getAllServeEvents())).isEmpty();
    }

    private static ObjectNode reservation2411(String name, String partition, String users, String accounts,
            String groups) {
        ObjectNode r = JSON.createObjectNode().put("name", name).put("partition", partition).put("users", users)
                .put("accounts", accounts).put("groups", groups).put("node_list", "vm").put("node_count", 1);
        r.set("start_time", time(START));
        r.putArray("flags").add("SPEC_NODES");
        return r;
    }

    private static ObjectNode time(long epochSeconds) {
        return JSON.createObjectNode().put("set", true).put("infinite", false).put("number", epochSeconds);
    }
}
