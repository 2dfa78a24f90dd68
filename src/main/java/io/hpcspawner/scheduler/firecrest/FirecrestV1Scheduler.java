package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.UserInfo;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The scheduler port over FirecREST v1 (1.16; checked against its OpenAPI 1.16.1 and the notes on
 * where the running code differs). The system is named by the {@code X-Machine-Name} header on
 * every call. Compute calls (submit, job status, cancel, partitions) only create a task whose
 * result is polled from {@code /tasks} within a bound ({@link V1Tasks}); utilities calls (head,
 * tail, whoami) answer at once. Calls acting for a user carry the user's token; the status query
 * and partitions carry the service account's, so polling survives the end of a user's session.
 *
 * <p>The status query is {@code GET /compute/jobs?userJobs=false}: without a user filter (the
 * service account polls other users' jobs) and without v1's per-job file lookups (each costs
 * several SSH connections). With ids only, the ids go as ONE comma-separated {@code jobs} value
 * (the spec's array type would make a generated client repeat the parameter, and the server
 * reads only the first). With a name prefix, v1 has no name filter, so the whole queue is listed
 * and filtered here. The single-job {@code GET /compute/jobs/{id}} is never used: at 1.16.6 its
 * task never leaves "queued".
 */
public final class FirecrestV1Scheduler implements Scheduler {

    /** Job ids v1 accepts in {@code jobs} (any other id makes it refuse the whole query). */
    private static final Pattern V1_JOB_ID = Pattern.compile("\\d+|\\d+\\+\\d+|\\d+_\\d+|\\d+_\\[\\d+-\\d+\\]");

    /** scancel's words for a job that ended before the cancel came. */
    private static final Pattern ALREADY_ENDED = Pattern.compile(
            "already completing or completed|Invalid job id specified|has already finished|Job has finished",
            Pattern.CASE_INSENSITIVE);

    /** Task errors that say "not now" rather than "no". */
    private static final Pattern TRANSIENT_TASK_ERROR = Pattern.compile(
            "not available|timed out|timeout|Unable to contact slurm controller|Socket timed out|try again",
            Pattern.CASE_INSENSITIVE);

    private final String system;
    private final AccessTokens tokens;
    private final ObjectMapper json;
    private final FirecrestClient client;
    private final V1Tasks tasks;

    /**
     * @param base the FirecREST v1 gateway root, e.g. {@code https://firecrest.example.org}
     * @param system the system name as FirecREST v1 knows it (sent as {@code X-Machine-Name}, as is)
     * @param timeout per-request timeout (and connect timeout)
     * @param taskTimeout how long one compute task (submit, status query, cancel) may take to
     *        finish before the call fails as transient
     */
    public FirecrestV1Scheduler(URI base, String system, AccessTokens tokens, Duration timeout, Duration taskTimeout,
            ObjectMapper json) {
        this(base, system, tokens, timeout, new V1Tasks.Pacing(Duration.ofMillis(250), Duration.ofSeconds(2), taskTimeout),
                json);
    }

    FirecrestV1Scheduler(URI base, String system, AccessTokens tokens, Duration timeout, V1Tasks.Pacing pacing,
            ObjectMapper json) {
        this.system = system;
        this.tokens = tokens;
        this.json = json;
        this.client = new FirecrestClient(base, timeout, json, V1Errors.INSTANCE);
        this.tasks = new V1Tasks(client, pacing);
    }

    /**
     * One upload, then the task is awaited; never sent twice. When the task's outcome cannot be
     * read in time the failure is transient and says so: the job may be queued, and the caller
     * looks it up by name.
     */
    @Override
    public String submit(JobSubmission r) {
        Bearer token = Bearer.user(tokens, r.user());
        Multipart form = new Multipart().file("file", V1Submissions.fileName(r.name()), V1Submissions.script(r));
        r.account().filter(a -> !a.isBlank()).ifPresent(a -> form.field("account", a));
        if (!r.environment().isEmpty()) {
            form.field("env", V1Submissions.environment(r.environment(), json));
        }
        String taskId = V1Tasks.taskId(client.send("POST", "/compute/jobs/upload", null, token, machine(), form.body()));
        V1Tasks.Task task;
        try {
            task = tasks.await(taskId, token, "submit of job " + r.name());
        } catch (SchedulerException e) {
            throw new SchedulerException("FirecREST took job " + r.name() + " (task " + taskId
                    + ") but its outcome could not be read, so the job may be queued: " + e.getMessage(), true, e);
        }
        if (!task.succeeded()) {
            String problem = task.problem();
            throw new SchedulerException("FirecREST could not submit job " + r.name() + " to " + system + ": " + problem,
                    TRANSIENT_TASK_ERROR.matcher(problem).find());
        }
        String id = JobModels.id(task.data().path("jobid"));
        if (id.isEmpty()) {
            // Transient: the job was most likely queued, so the caller should look for it by name.
            throw FirecrestClient.unexpected("POST /compute/jobs/upload", "no jobid in the result of task " + taskId);
        }
        return id;
    }

    @Override
    public List<JobInfo> jobs(Set<String> jobIds, String namePrefix) {
        Map<String, String> query = new LinkedHashMap<>();
        if (namePrefix == null) {
            // Ids v1 would refuse cannot be its jobs; leaving them out keeps the others answered.
            Set<String> ids = new TreeSet<>();
            jobIds.stream().filter(id -> V1_JOB_ID.matcher(id).matches()).forEach(ids::add);
            if (ids.isEmpty()) {
                return List.of();
            }
            query.put("jobs", String.join(",", ids));
        }
        query.put("userJobs", "false");
        Bearer token = Bearer.service(tokens);
        V1Tasks.Task task = tasks.await(
                V1Tasks.taskId(client.send("GET", "/compute/jobs", query, token, machine(), null)), token,
                "job status query on " + system);
        if (!task.succeeded()) {
            // squeue failed (controller busy, system down...): say "unknown", never "gone".
            throw new SchedulerException("FirecREST could not list the jobs on " + system + ": " + task.problem(), true);
        }
        List<JobInfo> found = new ArrayList<>();
        for (JsonNode row : rows(task.data(), "GET /compute/jobs")) {
            String id = JobModels.id(row.path("jobid"));
            String name = JobModels.text(row.path("name"));
            if (jobIds.contains(id) || (namePrefix != null && name.startsWith(namePrefix))) {
                found.add(JobModels.fromV1(row));
            }
        }
        return found;
    }

    /**
     * squeue for the one job: a failure naming the id invalid (Slurm forgot the job) means
     * unknown; any other failure, or an answer without the job, is a doubt.
     */
    @Override
    public Optional<JobInfo> job(String jobId) {
        if (!V1_JOB_ID.matcher(jobId).matches()) {
            throw new SchedulerException("job id " + jobId + " cannot be asked of FirecREST v1", false);
        }
        Bearer token = Bearer.service(tokens);
        V1Tasks.Task task = tasks.await(V1Tasks.taskId(client.send("GET", "/compute/jobs",
                Map.of("jobs", jobId, "userJobs", "false"), token, machine(), null)), token,
                "status query of job " + jobId + " on " + system);
        if (!task.succeeded()) {
            if (task.problem().toLowerCase(Locale.ROOT).contains("invalid job id")) {
                return Optional.empty();
            }
            throw new SchedulerException("FirecREST could not look up job " + jobId + " on " + system + ": "
                    + task.problem(), true);
        }
        for (JsonNode row : rows(task.data(), "GET /compute/jobs")) {
            if (jobId.equals(JobModels.id(row.path("jobid")))) {
                return Optional.of(JobModels.fromV1(row));
            }
        }
        throw new SchedulerException("FirecREST's status of job " + jobId + " on " + system + " does not list it",
                true);
    }

    /**
     * The task's result is the scancel output; a job that ended before (scancel's "already
     * completed" or "invalid job id") counts as cancelled, and so does a job the status query no
     * longer shows as live.
     */
    @Override
    public void cancel(String jobId, String user) {
        Bearer token = Bearer.user(tokens, user);
        String taskId = V1Tasks.taskId(client.send("DELETE", "/compute/jobs/" + FirecrestClient.segment(jobId), null,
                token, machine(), null));
        V1Tasks.Task task = tasks.await(taskId, token, "cancel of job " + jobId);
        if (task.succeeded()) {
            return;
        }
        String problem = task.problem();
        if (ALREADY_ENDED.matcher(problem).find() || hasEnded(jobId)) {
            return;
        }
        throw new SchedulerException("FirecREST could not cancel job " + jobId + " on " + system + ": " + problem,
                !problem.toLowerCase(Locale.ROOT).contains("permission"));
    }

    private boolean hasEnded(String jobId) {
        try {
            return jobs(Set.of(jobId), null).stream().allMatch(j -> j.phase() == JobPhase.ENDED);
        } catch (SchedulerException e) {
            return false;
        }
    }

    /** A file the job has not written yet ({@code X-Invalid-Path}) reads as empty. */
    @Override
    public String tail(String path, String user, int lines) {
        return fileOp("tail", path, user, lines);
    }

    /** A file the job has not written yet ({@code X-Invalid-Path}) reads as empty. */
    @Override
    public String head(String path, String user, int lines) {
        return fileOp("head", path, user, lines);
    }

    private String fileOp(String op, String file, String user, int lines) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("targetPath", file);
        query.put("lines", Integer.toString(lines));
        try {
            JsonNode output = client.send("GET", "/utilities/" + op, query, Bearer.user(tokens, user), machine(), null)
                    .object().path("output");
            return output.isTextual() ? output.asText() : "";
        } catch (FirecrestHttpException e) {
            if (e.errorHeader().equals("X-Invalid-Path")) {
                return "";
            }
            throw e;
        }
    }

    /**
     * {@code GET /compute/partitions}: the task's result lists scontrol's {@code PartitionName},
     * {@code State}, {@code TotalCPUs}, {@code TotalNodes} and {@code Default}, all as text. It has no
     * limits and no load, and counting the load would take one more task ({@code /compute/nodes}):
     * both stay unknown.
     */
    @Override
    public List<Partition> partitions() {
        List<Partition> result = new ArrayList<>();
        for (JsonNode p : listing("/compute/partitions", "partition list")) {
            result.add(new Partition(JobModels.text(p.path("PartitionName")), JobModels.text(p.path("State")),
                    number(p.path("TotalCPUs")), number(p.path("TotalNodes"))));
        }
        return result;
    }

    /**
     * {@code GET /compute/reservations}: the task's result lists scontrol's reservations with
     * {@code reservationname}, {@code partitionname}, {@code starttime}, {@code endtime} (local
     * date-times of the cluster, read in the service's time zone), {@code users} and {@code accounts}.
     */
    @Override
    public List<Reservation> reservations() {
        List<Reservation> result = new ArrayList<>();
        for (JsonNode r : listing("/compute/reservations", "reservation list")) {
            String partition = JobModels.text(r.path("partitionname"));
            result.add(new Reservation(JobModels.text(r.path("reservationname")),
                    partition.isEmpty() || "(null)".equals(partition) ? Optional.empty() : Optional.of(partition),
                    time(r.path("starttime"), Instant.EPOCH), time(r.path("endtime"), Instant.MAX),
                    Optional.of(Reservation.names(JobModels.text(r.path("users")))),
                    Optional.of(Reservation.names(JobModels.text(r.path("accounts"))))));
        }
        return result;
    }

    /** A listing task of the compute service, awaited with the service token: its result rows. */
    private List<JsonNode> listing(String path, String what) {
        Bearer token = Bearer.service(tokens);
        V1Tasks.Task task = tasks.await(V1Tasks.taskId(client.send("GET", path, null, token, machine(), null)), token,
                what + " of " + system);
        if (!task.succeeded()) {
            throw new SchedulerException("FirecREST could not get the " + what + " of " + system + ": " + task.problem(),
                    TRANSIENT_TASK_ERROR.matcher(task.problem()).find());
        }
        return rows(task.data(), "GET " + path);
    }

    /** scontrol's {@code 2026-12-03T10:00:00} in the service's zone; {@code otherwise} when it is not one. */
    private static Instant time(JsonNode text, Instant otherwise) {
        try {
            return LocalDateTime.parse(JobModels.text(text).trim()).atZone(ZoneId.systemDefault()).toInstant();
        } catch (DateTimeParseException e) {
            return otherwise;
        }
    }

    /**
     * {@code GET /utilities/whoami?groups=true}. v1 knows no Slurm accounts: the default account is
     * the user's primary Unix group (the rule of CSCS's firecrestspawner), and the list is empty.
     */
    @Override
    public UserInfo userInfo(String user) {
        JsonNode output = client.send("GET", "/utilities/whoami", Map.of("groups", "true"), Bearer.user(tokens, user),
                machine(), null).object().path("output");
        if (output.isTextual()) {
            // A server that ignores `groups` answers with the bare user name.
            return new UserInfo(output.asText().isBlank() ? user : output.asText(), Optional.empty(), List.of());
        }
        String name = JobModels.text(output.path("user").path("name"));
        String group = JobModels.text(output.path("group").path("name"));
        return new UserInfo(name.isEmpty() ? user : name, group.isEmpty() ? Optional.empty() : Optional.of(group),
                List.of());
    }

    private Map<String, String> machine() {
        return Map.of("X-Machine-Name", system);
    }

    /** A task result that is a list, or an object keyed "0", "1"... (v1 writes both; {} when empty). */
    private static List<JsonNode> rows(JsonNode data, String what) {
        List<JsonNode> rows = new ArrayList<>();
        if (data.isObject() || data.isArray()) {
            data.forEach(rows::add);
            return rows;
        }
        throw FirecrestClient.unexpected(what, "the task result is neither an object nor a list");
    }

    private static int number(JsonNode n) {
        try {
            return n.isNumber() ? n.asInt() : Integer.parseInt(JobModels.text(n).trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
