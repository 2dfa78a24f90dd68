package io.hpcspawner.scheduler.slurmrestd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.NodeLoad;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * slurmrestd's data_parser versions (v0.0.40 and later; Slurm 23.11 to 25.05). Compared with
 * v0.0.38: numbers that may be unset or infinite are {@code {"set", "infinite", "number"}}
 * objects; {@code job_state} is a list of flags; {@code exit_code} is an object with
 * {@code status}, {@code return_code} and {@code signal}; {@code environment} is a list of
 * {@code K=V} strings; a partition's state, CPUs and nodes are nested objects; collection paths
 * end with a slash.
 *
 * <p>Among v0.0.40, v0.0.41 and v0.0.42 (diffed in Slurm 24.11's OpenAPI document) the fields this
 * adapter sends and reads are the same; what differs is in {@link Differences}. (v0.0.42 also drops
 * {@code exclusive} from job_desc_msg: this class writes {@code shared}, which all three have.)
 */
final class DataParserDialect extends SlurmrestdDialect {

    /**
     * What one data_parser version says differently from v0.0.40.
     *
     * @param cancelStatus the cancel answer lists per-job results in {@code status[]} (v0.0.42)
     * @param pingResponding a ping entry says {@code responding} besides {@code pinged} (v0.0.42)
     */
    record Differences(boolean cancelStatus, boolean pingResponding) {
        static final Differences V0_0_40 = new Differences(false, false);
        static final Differences V0_0_42 = new Differences(true, true);
    }

    /** Base states; every other name in a job_state list is a flag. */
    private static final Set<String> BASE_STATES = Set.of("PENDING", "RUNNING", "SUSPENDED", "COMPLETED", "CANCELLED",
            "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE", "OUT_OF_MEMORY");

    /** Flags that name the job's state when set, in the order Slurm's own job_state_string() checks them. */
    private static final List<String> NAMING_FLAGS = List.of("COMPLETING", "STAGE_OUT", "CONFIGURING", "RESIZING",
            "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "SPECIAL_EXIT", "STOPPED", "REVOKED", "RESV_DEL_HOLD",
            "SIGNALING", "POWER_UP_NODE");

    private final Differences differences;

    DataParserDialect(SlurmrestdApiVersion version, Differences differences) {
        super(version);
        this.differences = differences;
    }

    /** {@code name} with a trailing slash. */
    @Override
    String collectionPath(String name) {
        return path(name + "/");
    }

    @Override
    JobFields fields(ObjectNode job) {
        return new Fields(job);
    }

    @Override
    JobInfo toJobInfo(JsonNode j) {
        String state = stateName(j.path("job_state"));
        JobPhase phase = JobPhase.ofSlurmState(state);
        Optional<Integer> exit = phase == JobPhase.ENDED ? exitStatus(j.path("exit_code")) : Optional.empty();
        return JobInfos.of(j, phase, state, exit, JobInfos.epochSeconds(number(j.path("submit_time"))),
                JobInfos.epochSeconds(number(j.path("start_time"))));
    }

    /**
     * The one state name a job_state list stands for, as squeue shows it: a naming flag when one is
     * set (so {@code ["RUNNING","COMPLETING"]} and {@code ["CANCELLED","COMPLETING"]} are
     * COMPLETING), else the base state. An empty list gives "" (read as running: never as ended).
     */
    static String stateName(JsonNode jobState) {
        if (jobState.isTextual()) {
            return jobState.asText();
        }
        List<String> names = new ArrayList<>();
        jobState.forEach(n -> names.add(n.asText()));
        for (String flag : NAMING_FLAGS) {
            if (names.contains(flag)) {
                return flag;
            }
        }
        return names.stream().filter(BASE_STATES::contains).findFirst().orElse(names.isEmpty() ? "" : names.get(0));
    }

    /**
     * A job's exit status from {@code {"status": [...], "return_code": {...}, "signal": {"id": {...}}}}:
     * 128 + the signal when it was signalled (as a shell reports it), else the return code; empty
     * when neither is set.
     */
    static Optional<Integer> exitStatus(JsonNode exitCode) {
        Optional<Long> signal = number(exitCode.path("signal").path("id"));
        if (signal.isPresent() && signal.get() > 0) {
            return Optional.of(128 + signal.get().intValue());
        }
        return number(exitCode.path("return_code")).map(Long::intValue);
    }

    /** A {@code {"set", "infinite", "number"}} value: empty when unset or infinite; a plain number is read as is. */
    /** 0.0.40+ write the priority as {@code {set, infinite, number}}. */
    @Override
    Optional<Long> priority(JsonNode job) {
        return number(job.path("priority"));
    }

    static Optional<Long> number(JsonNode value) {
        if (value.canConvertToLong()) {
            return Optional.of(value.asLong());
        }
        if (!value.path("set").asBoolean(false) || value.path("infinite").asBoolean(false)
                || !value.path("number").canConvertToLong()) {
            return Optional.empty();
        }
        return Optional.of(value.path("number").asLong());
    }

    /**
     * {@code partition.state} a list (joined with commas), {@code cpus.total}, {@code nodes.total},
     * {@code maximums.time} (minutes) and {@code maximums.nodes}, infinite when unlimited.
     */
    @Override
    Partition toPartition(JsonNode p) {
        List<String> state = new ArrayList<>();
        p.path("partition").path("state").forEach(s -> state.add(s.asText()));
        JsonNode max = p.path("maximums");
        return new Partition(p.path("name").asText(), String.join(",", state), p.path("cpus").path("total").asInt(),
                p.path("nodes").path("total").asInt()).withLimits(limit(number(max.path("time")).orElse(0L)),
                        limit(number(max.path("nodes")).orElse(0L)));
    }

    /** A node's {@code state}: a list of flags ({@code ["IDLE","DRAIN"]}). */
    @Override
    List<String> nodeStates(JsonNode n) {
        return texts(n.path("state"));
    }

    /** A {@code {"set", "infinite", "number"}} of epoch seconds; empty when unset or infinite. */
    @Override
    Optional<Instant> time(JsonNode value) {
        return number(value).map(Instant::ofEpochSecond);
    }

    /** {@code pings[]} with {@code pinged}: "UP"; where the version says {@code responding}, that must be true too. */
    @Override
    List<ControllerPing> pings(JsonNode answer) {
        List<ControllerPing> result = new ArrayList<>();
        for (JsonNode p : answer.path("pings")) {
            boolean up = "UP".equals(p.path("pinged").asText())
                    && (!differences.pingResponding() || p.path("responding").asBoolean(true));
            result.add(new ControllerPing(JobInfos.host(p), up));
        }
        return result;
    }

    @Override
    List<Integer> cancelErrors(JsonNode answer) {
        if (!differences.cancelStatus()) {
            return List.of();
        }
        List<Integer> codes = new ArrayList<>();
        for (JsonNode s : answer.path("status")) {
            int code = s.path("error").path("code").asInt(0);
            if (code != 0) {
                codes.add(code);
            }
        }
        return codes;
    }

    /** data_parser shapes: {set, infinite, number} objects, K=V environment strings, TRES strings. */
    private record Fields(ObjectNode job) implements JobFields {

        @Override
        public void number(String field, long value) {
            job.putObject(field).put("set", true).put("infinite", false).put("number", value);
        }

        @Override
        public void environment(Map<String, String> environment) {
            var env = job.putArray("environment");
            environment.forEach((k, v) -> env.add(k + "=" + v));
        }

        @Override
        public void gresPerNode(String gres) {
            for (String item : gres.split(",")) {
                addTres("tres_per_node", "gres/" + item);
            }
        }

        @Override
        public void gpusPerJob(String gpus) {
            addTres("tres_per_job", "gres/gpu:" + gpus);
        }

        @Override
        public void gpusPerNode(String gpus) {
            addTres("tres_per_node", "gres/gpu:" + gpus);
        }

        private void addTres(String field, String tres) {
            String now = job.path(field).asText("");
            job.put(field, now.isEmpty() ? tres : now + "," + tres);
        }

        @Override
        public void nodes(int min, int max) {
            job.put("minimum_nodes", min);
            job.put("maximum_nodes", max);
        }

        @Override
        public void exclusive(String mode) {
            job.putArray("shared").add(mode.isEmpty() ? "none" : mode);
        }
    }
}
