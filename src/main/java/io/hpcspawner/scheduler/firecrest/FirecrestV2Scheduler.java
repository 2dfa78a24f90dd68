package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.scheduler.JobListing;
import io.hpcspawner.scheduler.QueuePositions;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.JobSubmission;
import io.hpcspawner.spawn.port.NodeLoad;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SystemHealth;
import io.hpcspawner.spawn.port.UserInfo;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The scheduler port over the FirecREST v2 REST API (checked against its OpenAPI 2.5.6). Calls that
 * act for a user (submit, cancel, reading output, user info) carry the user's token; polling and
 * partitions carry the service account's, so polling survives the end of a user's session.
 *
 * <p>FirecREST's job description ({@code JobDescriptionModel}) has no fields for CPUs, memory or
 * time limit. The schema does not forbid extra keys, but FirecREST would not pass them on to
 * sbatch, so {@link JobSubmission#cpus()}, {@link JobSubmission#memory()} and
 * {@link JobSubmission#timeLimitMinutes()} are not sent: they travel as {@code #SBATCH} lines in
 * the script the service already rendered, which FirecREST hands to sbatch as is. The adapter
 * sends only documented fields: {@code name}, {@code workingDirectory}, {@code script},
 * {@code env}, {@code partition}, {@code account}, {@code standardOutput} and
 * {@code standardError} (both the job's output path).
 *
 * <p>FirecREST 2.5.6 has no multi-id job query: {@link #jobs} lists every visible job
 * ({@code allusers=true}) in one call and filters here. The listing also carries every job that
 * ended in the last 24 hours; {@link ListingWindow} narrows that with {@code time_window} where
 * the server takes it. The output's tail is read incrementally ({@link OutputCursors}).
 */
public final class FirecrestV2Scheduler implements Scheduler {

    private final String system;
    private final AccessTokens tokens;
    private final ObjectMapper json;
    private final FirecrestClient client;
    private final Clock clock;
    private final ListingWindow window;
    private final OutputCursors outputs;

    /**
     * @param base the FirecREST root, e.g. {@code https://api.example.org/firecrest/v2}
     * @param system the FirecREST system name; FirecREST compares it exactly with its lower-case names
     * @param timeout per-request timeout (and connect timeout)
     */
    public FirecrestV2Scheduler(URI base, String system, AccessTokens tokens, Duration timeout, ObjectMapper json) {
        this(base, system, tokens, timeout, json, Clock.systemUTC());
    }

    /** As above, with the clock that times listing windows and output re-checks. */
    public FirecrestV2Scheduler(URI base, String system, AccessTokens tokens, Duration timeout, ObjectMapper json,
            Clock clock) {
        this.system = system.toLowerCase(Locale.ROOT);
        this.tokens = tokens;
        this.json = json;
        this.client = new FirecrestClient(base, timeout, json, V2Errors.INSTANCE);
        this.clock = clock;
        this.window = new ListingWindow(this.system);
        this.outputs = new OutputCursors(new OutputCursors.Reads() {
            @Override
            public OptionalLong size(String path, String user) {
                return fileSize(path, user);
            }

            @Override
            public String from(String path, String user, long offset) {
                return fileFrom(path, user, offset);
            }
        }, clock);
    }

    @Override
    public String submit(JobSubmission r) {
        ObjectNode body = json.createObjectNode();
        ObjectNode job = body.putObject("job");
        job.put("name", r.name());
        job.put("workingDirectory", r.workingDirectory());
        job.put("script", r.script());
        ObjectNode env = job.putObject("env");
        r.environment().forEach(env::put);
        if (r.partition() != null && !r.partition().isBlank()) {
            job.put("partition", r.partition());
        }
        r.account().ifPresent(a -> job.put("account", a));
        job.put("standardOutput", r.outputPath());
        job.put("standardError", r.outputPath());
        String path = compute("/jobs");
        JsonNode answer = client.send("POST", path, null, Bearer.user(tokens, r.user()), body).object();
        String id = JobModels.id(answer.path("jobId"));
        if (id.isEmpty()) {
            // Transient: the job was most likely queued, so the caller should look for it by name.
            throw FirecrestClient.unexpected("POST " + path, "no jobId in the submit answer");
        }
        return id;
    }

    /**
     * The fields of a listed {@code JobModel} that {@link JobModels#fromV2} and the queue order
     * read; the listing keeps no others ({@link JobListing}).
     */
    static final Set<String> LISTED_JOB_FIELDS = Set.of("jobId", "name", "user", "status", "nodes", "time",
            "partition", "priority");

    /**
     * One listing of every visible job, read as a stream ({@link JobListing}): each job is read as
     * it arrives, and only our jobs and the pending ones' queue keys are kept, so a cluster's
     * whole listing is never held as a tree.
     */
    @Override
    public List<JobInfo> jobs(Set<String> jobIds, String namePrefix) {
        if (jobIds.isEmpty() && namePrefix == null) {
            return List.of();
        }
        String path = compute("/jobs");
        Instant asked = clock.instant();
        List<JobInfo> found = new ArrayList<>();
        List<QueuePositions.Waiting> pending = new ArrayList<>();
        JobListing.Rest rest = listing(path, asked, j -> {
            String id = JobModels.id(j.path("jobId"));
            String name = j.path("name").asText("");
            if (JobModels.isPending(j)) {
                // JobModel has no submit time: Slurm numbers jobs as they are submitted, so the id orders them.
                pending.add(new QueuePositions.Waiting(id, JobModels.text(j.path("partition")),
                        j.path("priority").asLong(0), Instant.EPOCH));
            }
            if (jobIds.contains(id) || (namePrefix != null && name.startsWith(namePrefix))) {
                found.add(JobModels.fromV2(j));
            }
        });
        if (!rest.object()) {
            throw FirecrestClient.unexpected("GET " + path, "the body is not a JSON object");
        }
        if (rest.jobs().isEmpty()) {
            throw new SchedulerException("GET " + path + ": the answer has no \"jobs\" field; read as unknown, not as"
                    + " no jobs", true);
        }
        if (rest.jobs().get() == JsonNodeType.NULL) {
            // FirecREST's own way of saying "none". A job is only ever ended by its own look-up (job()),
            // so a wrong "none" here costs a look-up per job, never a server.
            window.succeeded(asked);
            return List.of();
        }
        if (rest.jobs().get() != JsonNodeType.ARRAY) {
            throw FirecrestClient.unexpected("GET " + path, "\"jobs\" is not a list");
        }
        window.succeeded(asked);
        // The service account sees every user's jobs: where each of ours stands in its partition's queue.
        return QueuePositions.placed(found, pending);
    }

    /**
     * The listing with the narrowest {@code time_window} that still shows every job that ended
     * since the last listing that succeeded, each job handed to {@code eachJob}. A 400 or 422 with
     * a window is sent again without it; when that succeeds the server does not take the
     * parameter, and it is never sent again.
     */
    private JobListing.Rest listing(String path, Instant asked, Consumer<JsonNode> eachJob) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("allusers", "true");
        Optional<String> narrowed = window.next(asked);
        narrowed.ifPresent(w -> query.put("time_window", w));
        try {
            return client.listing(path, query, Bearer.service(tokens), LISTED_JOB_FIELDS, eachJob);
        } catch (FirecrestHttpException e) {
            if (narrowed.isEmpty() || (e.status() != 400 && e.status() != 422)) {
                throw e;
            }
            query.remove("time_window");
            JobListing.Rest answer = client.listing(path, query, Bearer.service(tokens), LISTED_JOB_FIELDS, eachJob);
            window.refusedBy(e.status(), e.getMessage());
            return answer;
        }
    }

    /** {@code GET /compute/{system}/jobs/{id}} with the service account: 404 "Job not found" means unknown. */
    @Override
    public java.util.Optional<JobInfo> job(String jobId) {
        String path = compute("/jobs/" + FirecrestClient.segment(jobId));
        JsonNode jobs;
        try {
            jobs = client.send("GET", path, null, Bearer.service(tokens), null).object().path("jobs");
        } catch (FirecrestHttpException e) {
            if (e.status() == 404) {
                return java.util.Optional.empty();
            }
            throw e;
        }
        for (JsonNode j : jobs) {
            if (jobId.equals(JobModels.id(j.path("jobId")))) {
                return java.util.Optional.of(JobModels.fromV2(j));
            }
        }
        throw new SchedulerException("GET " + path + ": the answer does not list job " + jobId
                + " and does not say it is unknown", true);
    }

    /**
     * 404 means the job is gone. FirecREST answers 500 when scancel printed an error, which it also
     * does for a job that just ended or is completing (scancel: "Job/step already completing or
     * completed"); then the job is read again and an ended, completing or vanished job counts as
     * cancelled, so the cancel is not sent again while Slurm tears the job down.
     */
    @Override
    public void cancel(String jobId, String user) {
        Bearer token = Bearer.user(tokens, user);
        try {
            client.send("DELETE", compute("/jobs/" + FirecrestClient.segment(jobId)), null, token, null);
        } catch (FirecrestHttpException e) {
            if (e.status() == 404) {
                return;
            }
            if (e.status() == 500 && hasEnded(jobId, token)) {
                return;
            }
            throw e;
        }
    }

    private boolean hasEnded(String jobId, Bearer token) {
        String path = compute("/jobs/" + FirecrestClient.segment(jobId));
        try {
            JsonNode jobs = client.send("GET", path, null, token, null).object().path("jobs");
            for (JsonNode j : jobs) {
                if (jobId.equals(JobModels.id(j.path("jobId")))) {
                    JobInfo job = JobModels.fromV2(j);
                    return job.phase() == JobPhase.ENDED || "COMPLETING".equalsIgnoreCase(job.state());
                }
            }
            return true; // not in the answer: not known to the scheduler any more
        } catch (FirecrestHttpException e) {
            return e.status() == 404;
        } catch (SchedulerException e) {
            return false;
        }
    }

    /**
     * Read incrementally ({@link OutputCursors}): only the bytes written since the last read of
     * this file. A missing file (404) reads as empty: the job has not written it yet.
     */
    @Override
    public String tail(String path, String user, int lines) {
        return outputs.tail(path, user, lines);
    }

    /** {@code ops/stat} (following links) as the user: the file's size, empty when it does not exist. */
    private OptionalLong fileSize(String file, String user) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("path", file);
        query.put("dereference", "true");
        try {
            JsonNode size = client.send("GET", "/filesystem/" + FirecrestClient.segment(system) + "/ops/stat", query,
                    Bearer.user(tokens, user), null).object().path("output").path("size");
            if (!size.canConvertToLong()) {
                throw FirecrestClient.unexpected("GET /filesystem/" + system + "/ops/stat", "no size in the answer");
            }
            return OptionalLong.of(size.asLong());
        } catch (FirecrestHttpException e) {
            if (e.status() == 404) {
                return OptionalLong.empty();
            }
            throw e;
        }
    }

    /**
     * {@code ops/tail} with {@code bytes=offset+1&skipHeading=true} as the user: FirecREST runs
     * {@code tail --bytes=+N}, which starts at the N-th byte (counted from 1), so the file from
     * byte {@code offset} on. A missing file reads as empty.
     */
    private String fileFrom(String file, String user, long offset) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("path", file);
        query.put("bytes", Long.toString(offset + 1));
        query.put("skipHeading", "true");
        return read("tail", query, user);
    }

    /** A missing file (404) reads as empty: the job has not written it yet. */
    @Override
    public String head(String path, String user, int lines) {
        return fileOp("head", path, user, lines);
    }

    private String fileOp(String op, String file, String user, int lines) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("path", file);
        query.put("lines", Integer.toString(lines));
        return read(op, query, user);
    }

    private String read(String op, Map<String, String> query, String user) {
        try {
            JsonNode content = client.send("GET", "/filesystem/" + FirecrestClient.segment(system) + "/ops/" + op, query,
                    Bearer.user(tokens, user), null).object().path("output").path("content");
            return content.isTextual() ? content.asText() : "";
        } catch (FirecrestHttpException e) {
            if (e.status() == 404) {
                return "";
            }
            throw e;
        }
    }

    /**
     * {@code GET /status/{system}/partitions}, then {@code GET /status/{system}/nodes} counted per
     * partition (FirecREST's partition model has neither load nor limits): two calls, with the
     * service token. When the nodes call fails the partitions are still answered, their load unknown.
     */
    @Override
    public List<Partition> partitions() {
        JsonNode partitions = statusList("partitions");
        Optional<Map<String, NodeLoad>> load = nodeLoad();
        List<Partition> result = new ArrayList<>();
        for (JsonNode p : partitions) {
            Partition partition = new Partition(p.path("name").asText(), String.join(",", states(p.path("partition"))),
                    p.path("cpus").asInt(0), p.path("totalNodes").asInt(0));
            result.add(load.map(l -> partition.withLoad(l.getOrDefault(partition.name(), NodeLoad.NONE)))
                    .orElse(partition));
        }
        return result;
    }

    /** {@code GET /status/{system}/{name}} with the service token: the answer's list named {@code name}. */
    private JsonNode statusList(String name) {
        String path = status("/" + name);
        JsonNode list = client.send("GET", path, null, Bearer.service(tokens), null).object().path(name);
        if (!list.isArray()) {
            throw FirecrestClient.unexpected("GET " + path, "\"" + name + "\" is not a list");
        }
        return list;
    }

    /** FirecREST puts a partition's state (UP, DOWN...) in the field named "partition": a string or a list. */
    private static List<String> states(JsonNode state) {
        List<String> states = new ArrayList<>();
        if (state.isArray()) {
            state.forEach(s -> states.add(s.asText()));
        } else if (state.isTextual()) {
            states.add(state.asText());
        }
        return states;
    }

    /** Each partition's load from one {@code GET /status/{system}/nodes}; empty when that call fails. */
    private Optional<Map<String, NodeLoad>> nodeLoad() {
        try {
            List<NodeLoad.Node> counted = new ArrayList<>();
            for (JsonNode n : statusList("nodes")) {
                List<String> partitions = new ArrayList<>();
                n.path("partitions").forEach(p -> partitions.add(p.asText()));
                counted.add(new NodeLoad.Node(states(n.path("state")), partitions, n.path("cpus").asInt(0),
                        n.path("allocCpus").asInt(0)));
            }
            return Optional.of(NodeLoad.perPartition(counted));
        } catch (SchedulerException e) {
            return Optional.empty();
        }
    }

    /**
     * {@code GET /status/{system}/reservations} with the service token. FirecREST's reservation
     * model says neither partition nor who may use it: both unknown.
     */
    @Override
    public List<Reservation> reservations() {
        List<Reservation> result = new ArrayList<>();
        for (JsonNode r : statusList("reservations")) {
            result.add(new Reservation(r.path("name").asText(), Optional.empty(),
                    Instant.ofEpochSecond(r.path("startTime").asLong()), Instant.ofEpochSecond(r.path("endTime").asLong()),
                    Optional.empty(), Optional.empty()));
        }
        return result;
    }

    /** The default account is the one sacctmgr marks as default; none when FirecREST lists no accounts. */
    @Override
    public UserInfo userInfo(String user) {
        JsonNode answer = client.send("GET", status("/userinfo"), null, Bearer.user(tokens, user), null).object();
        List<String> accounts = new ArrayList<>();
        Optional<String> defaultAccount = Optional.empty();
        for (JsonNode a : answer.path("accounts")) {
            String name = a.path("name").asText("");
            if (name.isEmpty()) {
                continue;
            }
            accounts.add(name);
            if (defaultAccount.isEmpty() && a.path("default").asBoolean(false)) {
                defaultAccount = Optional.of(name);
            }
        }
        String name = answer.path("user").path("name").asText("");
        return new UserInfo(name.isEmpty() ? user : name, defaultAccount, List.copyOf(accounts));
    }

    /**
     * {@code GET /status/systems} (service account): healthy when every service FirecREST probes
     * for this system (scheduler, SSH, file systems) answered its last probe.
     */
    @Override
    public SystemHealth health() {
        JsonNode systems = client.send("GET", "/status/systems", null, Bearer.service(tokens), null).object().path("systems");
        for (JsonNode s : systems) {
            if (!system.equalsIgnoreCase(s.path("name").asText())) {
                continue;
            }
            JsonNode services = s.path("servicesHealth");
            if (!services.isArray() || services.isEmpty()) {
                return SystemHealth.unknown("FirecREST has not probed " + system + " yet");
            }
            List<String> failing = new ArrayList<>();
            for (JsonNode service : services) {
                if (!service.path("healthy").asBoolean(false)) {
                    String message = service.path("message").asText("");
                    failing.add(service.path("serviceType").asText("?") + (message.isEmpty() ? "" : " (" + message + ")"));
                }
            }
            return failing.isEmpty()
                    ? SystemHealth.healthy(services.size() + " services healthy at FirecREST's last check")
                    : SystemHealth.unhealthy("FirecREST reports " + system + " unhealthy: " + String.join(", ", failing));
        }
        return SystemHealth.unhealthy("FirecREST does not list the system " + system + " (check firecrest-system)");
    }

    private String compute(String rest) {
        return "/compute/" + FirecrestClient.segment(system) + rest;
    }

    private String status(String rest) {
        return "/status/" + FirecrestClient.segment(system) + rest;
    }
}
