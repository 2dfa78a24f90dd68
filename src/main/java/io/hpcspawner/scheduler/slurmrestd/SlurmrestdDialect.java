package io.hpcspawner.scheduler.slurmrestd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.NodeLoad;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one slurmrestd API version says differently: its paths, how a job description is written,
 * how a job and a ping answer are read. Transport, authentication and the {@code errors[]} list
 * are the same for every version and stay in {@link SlurmrestdScheduler}.
 */
abstract class SlurmrestdDialect {

    /** Slurm's ESLURM_INVALID_JOB_ID: the controller does not know the job (never was, or forgotten after MinJobAge). */
    static final int ESLURM_INVALID_JOB_ID = 2017;
    /** Slurm's ESLURM_ALREADY_DONE: the job has already ended. */
    static final int ESLURM_ALREADY_DONE = 2021;

    private final SlurmrestdApiVersion version;

    SlurmrestdDialect(SlurmrestdApiVersion version) {
        this.version = version;
    }

    SlurmrestdApiVersion version() {
        return version;
    }

    /** A path under this version, e.g. {@code /slurm/v0.0.42/job/submit}. */
    final String path(String tail) {
        return "/slurm/" + version.wireName() + "/" + tail;
    }

    /** The path of a collection ({@code jobs}, {@code nodes}...), as this version writes it. */
    abstract String collectionPath(String name);

    /** {@code GET}: every job the controller knows. */
    final String jobsPath() {
        return collectionPath("jobs");
    }

    /** {@code GET}: the controller's ping. */
    final String pingPath() {
        return collectionPath("ping");
    }

    /** {@code GET}: the partitions. */
    final String partitionsPath() {
        return collectionPath("partitions");
    }

    /** {@code GET}: every node, with its state, partitions and allocated CPUs. */
    final String nodesPath() {
        return collectionPath("nodes");
    }

    /** {@code GET}: the reservations. */
    final String reservationsPath() {
        return collectionPath("reservations");
    }

    /** {@code GET} one job, {@code DELETE} cancels it. */
    final String jobPath(String jobId) {
        return path("job/" + jobId);
    }

    /** {@code POST}: submit a batch job. */
    final String submitPath() {
        return path("job/submit");
    }

    /** Writes the job description's fields in this version's shapes. */
    abstract JobFields fields(ObjectNode job);

    /** Reads one entry of an answer's {@code jobs} list. */
    abstract JobInfo toJobInfo(JsonNode job);

    /** Reads one entry of a partitions answer. */
    abstract Partition toPartition(JsonNode partition);

    /** A job entry's priority, empty when the answer has none (or Slurm's NO_VAL/INFINITE). */
    abstract java.util.Optional<Long> priority(JsonNode job);

    /** Reads one entry of a nodes answer: its states, partitions, CPUs and allocated CPUs. */
    final NodeLoad.Node toNode(JsonNode n) {
        return new NodeLoad.Node(nodeStates(n), texts(n.path("partitions")), n.path("cpus").asInt(),
                n.path("alloc_cpus").asInt());
    }

    /** A node's state and flags, as this version writes them. */
    abstract List<String> nodeStates(JsonNode node);

    /** A point in time as this version writes it; empty when unset or infinite. */
    abstract Optional<Instant> time(JsonNode value);

    /**
     * Reads one entry of a reservations answer (the same fields in every version). Who may use it
     * comes from Slurm's comma lists; a reservation for Unix groups is for users the service cannot
     * tell apart, so who may use it is unknown. An end never set or infinite: it never ends.
     */
    final Reservation toReservation(JsonNode r) {
        String partition = r.path("partition").asText("");
        boolean byGroup = !Reservation.names(r.path("groups").asText("")).isEmpty();
        return new Reservation(r.path("name").asText(), partition.isEmpty() ? Optional.empty() : Optional.of(partition),
                time(r.path("start_time")).orElse(Instant.EPOCH), time(r.path("end_time")).orElse(Instant.MAX),
                byGroup ? Optional.empty() : Optional.of(Reservation.names(r.path("users").asText(""))),
                byGroup ? Optional.empty() : Optional.of(Reservation.names(r.path("accounts").asText(""))));
    }

    /** The texts of a JSON list; none when it is not a list. */
    static List<String> texts(JsonNode list) {
        List<String> texts = new ArrayList<>();
        list.forEach(t -> texts.add(t.asText()));
        return texts;
    }

    /** A limit Slurm writes as a number, or as -1 / NO_VAL / INFINITE (2^32-2, 2^32-1) when there is none: 0 then. */
    static int limit(long value) {
        return value <= 0 || value >= 0xFFFFFFFEL ? 0 : (int) value;
    }

    /** Reads a ping answer: one entry per controller. */
    abstract List<ControllerPing> pings(JsonNode answer);

    /**
     * The per-job errors a cancel answer carries besides {@code errors[]} (Slurm error numbers; 0
     * entries are dropped); none in versions whose answer has no such list.
     */
    List<Integer> cancelErrors(JsonNode answer) {
        return List.of();
    }

    /** True when Slurm's error number says the job is unknown to the controller. */
    boolean unknownJob(int errorNumber) {
        return errorNumber == ESLURM_INVALID_JOB_ID;
    }

    /** True when Slurm's error number says there is nothing left to cancel. */
    boolean nothingToCancel(int errorNumber) {
        return errorNumber == ESLURM_INVALID_JOB_ID || errorNumber == ESLURM_ALREADY_DONE;
    }

    /**
     * The submit body: {@code {"script", "job": {...}}} with the submission's fields, then the
     * profile's sbatch options through {@link SbatchOptionFields} (a later option wins, as in sbatch).
     */
    final ObjectNode submitBody(JobSubmission r, ObjectMapper json) {
        ObjectNode body = json.createObjectNode();
        body.put("script", r.script());
        ObjectNode job = body.putObject("job");
        JobFields f = fields(job);
        f.text("name", r.name());
        f.text("partition", r.partition());
        f.text("current_working_directory", r.workingDirectory());
        f.text("standard_output", r.outputPath());
        f.text("standard_error", r.outputPath());
        f.number("time_limit", r.timeLimitMinutes());
        f.count("tasks", 1);
        f.count("cpus_per_task", r.cpus());
        r.memory().ifPresent(m -> f.number("memory_per_node", MemorySize.toMegabytes(m)));
        r.account().ifPresent(a -> f.text("account", a));
        f.environment(r.environment());
        SbatchOptionFields.apply(r.sbatchOptions(), f);
        return body;
    }

    /** One controller in a ping answer. */
    record ControllerPing(String host, boolean up) {
    }
}
