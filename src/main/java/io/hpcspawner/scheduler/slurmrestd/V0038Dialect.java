package io.hpcspawner.scheduler.slurmrestd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.Partition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * slurmrestd v0.0.38 (Slurm 22.05; removed in 24.05): plain integers, {@code job_state} a string,
 * {@code exit_code} the raw wait status, {@code environment} an object, paths without a trailing slash.
 */
final class V0038Dialect extends SlurmrestdDialect {

    V0038Dialect() {
        super(SlurmrestdApiVersion.V0_0_38);
    }

    /** {@code name} without a trailing slash. */
    @Override
    String collectionPath(String name) {
        return path(name);
    }

    @Override
    JobFields fields(ObjectNode job) {
        return new Fields(job);
    }

    @Override
    JobInfo toJobInfo(JsonNode j) {
        String state = j.path("job_state").asText("");
        JobPhase phase = JobPhase.ofSlurmState(state);
        Optional<Integer> exit = phase == JobPhase.ENDED && j.path("exit_code").canConvertToInt()
                ? Optional.of(exitStatus(j.path("exit_code").asInt())) : Optional.empty();
        return JobInfos.of(j, phase, state, exit, JobInfos.epochSeconds(seconds(j.path("submit_time"))),
                JobInfos.epochSeconds(seconds(j.path("start_time"))));
    }

    /** 0.0.38 writes the priority as a plain number. */
    @Override
    Optional<Long> priority(JsonNode job) {
        return job.path("priority").canConvertToLong() ? Optional.of(job.path("priority").asLong()) : Optional.empty();
    }

    /** A plain number of seconds (0.0.38 writes times so); 0 when absent. */
    private static Optional<Long> seconds(JsonNode value) {
        return Optional.of(value.asLong(0));
    }

    /** The raw wait status: {@code exit 3} arrives as 768, a signal as its number (128 + signal, as a shell says). */
    static int exitStatus(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal != 0 ? 128 + signal : (waitStatus >> 8) & 0xff;
    }

    /**
     * {@code state} a string, {@code total_cpus}, {@code total_nodes}, {@code max_time_limit}
     * (minutes) and {@code maximum_nodes_per_job}, -1 when unlimited.
     */
    @Override
    Partition toPartition(JsonNode p) {
        return new Partition(p.path("name").asText(), p.path("state").asText(""), p.path("total_cpus").asInt(),
                p.path("total_nodes").asInt()).withLimits(limit(p.path("max_time_limit").asLong(-1)),
                        limit(p.path("maximum_nodes_per_job").asLong(-1)));
    }

    /** A node's {@code state}, a lower-case string ({@code idle}, {@code mixed}...), and its {@code state_flags}. */
    @Override
    List<String> nodeStates(JsonNode n) {
        List<String> states = new ArrayList<>();
        states.add(n.path("state").asText(""));
        states.addAll(texts(n.path("state_flags")));
        return states;
    }

    /** Plain epoch seconds. */
    @Override
    Optional<Instant> time(JsonNode value) {
        return value.canConvertToLong() ? Optional.of(Instant.ofEpochSecond(value.asLong())) : Optional.empty();
    }

    /** {@code pings[]} with {@code ping}: "UP" or "DOWN". */
    @Override
    List<ControllerPing> pings(JsonNode answer) {
        List<ControllerPing> result = new ArrayList<>();
        for (JsonNode p : answer.path("pings")) {
            result.add(new ControllerPing(JobInfos.host(p), "UP".equals(p.path("ping").asText())));
        }
        return result;
    }

    /** v0.0.38 shapes: integers, an environment object, the option fields of job_properties. */
    private record Fields(ObjectNode job) implements JobFields {

        @Override
        public void number(String field, long value) {
            job.put(field, value);
        }

        @Override
        public void environment(Map<String, String> environment) {
            ObjectNode env = job.putObject("environment");
            environment.forEach(env::put);
        }

        @Override
        public void gresPerNode(String gres) {
            job.put("gres", gres);
        }

        @Override
        public void gpusPerJob(String gpus) {
            job.put("gpus", gpus);
        }

        @Override
        public void gpusPerNode(String gpus) {
            job.put("gpus_per_node", gpus);
        }

        @Override
        public void nodes(int min, int max) {
            job.putArray("nodes").add(min).add(max);
        }

        @Override
        public void exclusive(String mode) {
            job.put("exclusive", mode.isEmpty() ? "true" : mode);
        }
    }
}
