package io.hpcspawner.scheduler.slurmrestd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.credentials.SlurmTokenMinter;
import io.hpcspawner.http.BoundedHttp;
import io.hpcspawner.http.HeldBody;
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
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The scheduler port over slurmrestd's REST API, in any version of {@link SlurmrestdApiVersion}
 * (configured, or discovered from the server on first use: {@link ApiVersionChoice}). Each call
 * carries a JWT minted for the acting user. slurmrestd answers most errors with HTTP 500 and an
 * {@code errors} list; this class turns them into {@link SchedulerException}s and logs
 * {@code warnings}. What differs between versions (paths, the job description, reading jobs and
 * pings) is the {@link SlurmrestdDialect}'s. slurmrestd has no file API, so job output is read
 * from a shared file system ({@link OutputFiles}).
 */
public final class SlurmrestdScheduler implements Scheduler {

    private static final Logger LOG = Logger.getLogger(SlurmrestdScheduler.class);
    private static final int MAX_REMEMBERED_WARNINGS = 100;

    private final URI base;
    private final SlurmTokenMinter tokens;
    private final String serviceUser;
    private final Duration timeout;
    private final OutputFiles output;
    private final ObjectMapper json;
    private final BoundedHttp http;
    private final ApiVersionChoice version;
    private final PosixAccounts accounts = new PosixAccounts();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param apiVersion the API version to speak, or empty to discover it from the server on first use
     */
    public SlurmrestdScheduler(URI base, SlurmTokenMinter tokens, String serviceUser, Duration timeout,
            OutputFiles output, ObjectMapper json, Optional<SlurmrestdApiVersion> apiVersion) {
        this.base = base;
        this.tokens = tokens;
        this.serviceUser = serviceUser;
        this.timeout = timeout;
        this.output = output;
        this.json = json;
        this.http = new BoundedHttp(timeout);
        this.version = new ApiVersionChoice(base, apiVersion);
    }

    /** The dialect of the configured or discovered version; discovery asks {@code GET /openapi/v3} as the service user. */
    private SlurmrestdDialect dialect() {
        return version.dialect(() -> call("GET", "/openapi/v3", serviceUser, null, true));
    }

    @Override
    public String submit(JobSubmission r) {
        SlurmrestdDialect d = dialect();
        JsonNode answer = call("POST", d.submitPath(), r.user(), d.submitBody(r, json), false);
        JsonNode id = answer.path("job_id");
        if (!id.canConvertToLong()) {
            throw new SchedulerException("slurmrestd accepted the submit but returned no job id", false);
        }
        return id.asText();
    }

    /** The fields of a listed job that {@link SlurmrestdDialect#toJobInfo}, {@code priority} and the queue order read. */
    static final Set<String> LISTED_JOB_FIELDS = Set.of("job_id", "name", "user_name", "job_state", "state_reason",
            "batch_host", "exit_code", "submit_time", "start_time", "priority", "partition");

    /**
     * One listing of every job of the cluster, read as a stream ({@link JobListing}): each job is
     * turned into a {@link JobInfo} as it is read, and only the pending ones' queue keys and our
     * jobs are kept.
     */
    @Override
    public List<JobInfo> jobs(Set<String> jobIds, String namePrefix) {
        SlurmrestdDialect d = dialect();
        List<JobInfo> found = new ArrayList<>();
        List<QueuePositions.Waiting> pending = new ArrayList<>();
        listing(d.jobsPath(), j -> {
            String id = j.path("job_id").asText();
            String name = j.path("name").asText("");
            JobInfo job = d.toJobInfo(j);
            if (job.phase() == JobPhase.PENDING) {
                pending.add(new QueuePositions.Waiting(id, j.path("partition").asText(""), d.priority(j).orElse(0L),
                        job.submittedAt().orElse(Instant.EPOCH)));
            }
            if (jobIds.contains(id) || (namePrefix != null && name.startsWith(namePrefix))) {
                found.add(job);
            }
        });
        // The listing has every job of the cluster: where each of ours stands in its partition's queue.
        return QueuePositions.placed(found, pending);
    }

    /**
     * {@code GET path} as the service user, each listed job handed to {@code eachJob}. The body is
     * read whole within the call's time bound, kept in the buffers it arrived in ({@link HeldBody}), and parsed as a stream; errors as for
     * {@link #call}. An answer without a job list (missing, null, not a list) is an error, never
     * "no jobs" (jobs handed on before an error is found are to be dropped).
     */
    private void listing(String path, java.util.function.Consumer<JsonNode> eachJob) {
        HttpResponse<HeldBody> response = send("GET", path, serviceUser, null, HeldBody.handler());
        HeldBody body = response.body();
        if (response.statusCode() >= 400) {
            checked("GET", path, serviceUser, response.statusCode(), parse(body, response.statusCode()), true);
        }
        JobListing.Rest rest;
        try {
            rest = JobListing.read(body.isEmpty() ? InputStream.nullInputStream() : body.stream(), json, LISTED_JOB_FIELDS, eachJob);
        } catch (IOException e) {
            throw notJson(response.statusCode(), e);
        }
        checked("GET", path, serviceUser, response.statusCode(), rest.fields(), true);
        if (rest.jobs().filter(t -> t == com.fasterxml.jackson.databind.node.JsonNodeType.ARRAY).isEmpty()) {
            throw noJobList("GET " + path, rest.jobs().map(t -> t.name().toLowerCase(java.util.Locale.ROOT))
                    .orElse("missing"));
        }
    }

    /**
     * {@code GET /job/{id}}: slurmrestd names a job it does not know with Slurm error 2017; an
     * answer without that error and without the job is a doubt, not an answer.
     */
    @Override
    public Optional<JobInfo> job(String jobId) {
        SlurmrestdDialect d = dialect();
        String path = d.jobPath(jobId);
        JsonNode answer;
        try {
            answer = call("GET", path, serviceUser, null, true);
        } catch (SlurmErrorException e) {
            if (d.unknownJob(e.errorNumber())) {
                return Optional.empty();
            }
            throw e;
        }
        for (JsonNode j : jobList(answer, "GET " + path)) {
            if (jobId.equals(j.path("job_id").asText())) {
                return Optional.of(d.toJobInfo(j));
            }
        }
        throw new SchedulerException("GET " + path + ": the answer does not list job " + jobId
                + " and does not say it is unknown", true);
    }

    /** The answer's job list; an answer without one (missing, null, not a list) is an error, never "no jobs". */
    private static JsonNode jobList(JsonNode answer, String what) {
        JsonNode jobs = answer.path("jobs");
        if (!jobs.isArray()) {
            throw noJobList(what, jobs.isMissingNode() ? "missing" : jobs.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        return jobs;
    }

    private static SchedulerException noJobList(String what, String jobsIs) {
        return new SchedulerException(what + ": the answer has no job list (\"jobs\" is " + jobsIs
                + "); read as unknown, not as no jobs", true);
    }

    /** Cancels the job; a job Slurm does not know or that has already ended has nothing left to cancel. */
    @Override
    public void cancel(String jobId, String user) {
        SlurmrestdDialect d = dialect();
        String path = d.jobPath(jobId);
        JsonNode answer;
        try {
            answer = call("DELETE", path, user, null, true);
        } catch (SlurmErrorException e) {
            if (d.nothingToCancel(e.errorNumber())) {
                return;
            }
            throw e;
        }
        for (int code : d.cancelErrors(answer)) {
            if (!d.nothingToCancel(code)) {
                throw new SlurmErrorException("DELETE " + path + " as " + user + ": job " + jobId
                        + " was not cancelled (Slurm error " + code + ")", code, false);
            }
        }
    }

    @Override
    public String tail(String path, String user, int lines) {
        return output.tail(path, user, lines);
    }

    @Override
    public String head(String path, String user, int lines) {
        return output.head(path, user, lines);
    }

    /**
     * {@code GET partitions} (limits), then {@code GET nodes} counted per partition (slurmrestd's
     * partition answer has no load, in no version): two calls, as the service user. When the nodes
     * call fails the partitions are still answered, their load unknown.
     */
    @Override
    public List<Partition> partitions() {
        SlurmrestdDialect d = dialect();
        JsonNode answer = call("GET", d.partitionsPath(), serviceUser, null, true);
        Optional<Map<String, NodeLoad>> load = nodeLoad(d);
        List<Partition> result = new ArrayList<>();
        for (JsonNode p : answer.path("partitions")) {
            Partition partition = d.toPartition(p);
            result.add(load.map(l -> partition.withLoad(l.getOrDefault(partition.name(), NodeLoad.NONE)))
                    .orElse(partition));
        }
        return result;
    }

    /** Each partition's load from one {@code GET nodes}; empty when that call fails. */
    private Optional<Map<String, NodeLoad>> nodeLoad(SlurmrestdDialect d) {
        try {
            JsonNode answer = call("GET", d.nodesPath(), serviceUser, null, true);
            List<NodeLoad.Node> nodes = new ArrayList<>();
            answer.path("nodes").forEach(n -> nodes.add(d.toNode(n)));
            return Optional.of(NodeLoad.perPartition(nodes));
        } catch (SchedulerException e) {
            LOG.debugf("slurmrestd at %s: no node load (%s)", base, e.getMessage());
            return Optional.empty();
        }
    }

    /** {@code GET reservations} as the service user (slurmrestd reads as whom the token names). */
    @Override
    public List<Reservation> reservations() {
        SlurmrestdDialect d = dialect();
        JsonNode answer = call("GET", d.reservationsPath(), serviceUser, null, true);
        JsonNode list = answer.path("reservations");
        if (!list.isArray()) {
            throw new SchedulerException("GET " + d.reservationsPath() + ": the answer has no reservation list", true);
        }
        List<Reservation> result = new ArrayList<>();
        list.forEach(r -> result.add(d.toReservation(r)));
        return result;
    }

    /** slurmrestd without slurmdbd knows no accounts: users submit with their default one. */
    @Override
    public UserInfo userInfo(String user) {
        return new UserInfo(user, Optional.empty(), List.of());
    }

    /** slurmrestd runs a job as whichever user the token names: the service must vet the name. */
    @Override
    public boolean actsAsNamedUser() {
        return true;
    }

    @Override
    public java.util.OptionalLong uidOf(String user) {
        return accounts.uidOf(user);
    }

    /**
     * slurmrestd's ping of slurmctld ({@code GET /ping}, one call): healthy when a controller
     * answers UP; unhealthy when none does, when slurmrestd answers with an error, and when
     * slurmrestd itself cannot be reached (refused, timed out), with the reason.
     */
    @Override
    public SystemHealth health() {
        JsonNode answer;
        SlurmrestdDialect d;
        try {
            d = dialect();
            answer = call("GET", d.pingPath(), serviceUser, null, true);
        } catch (SchedulerException e) {
            boolean noAnswer = e.neverReachedApi() || e.getCause() instanceof IOException
                    && !(e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException);
            return SystemHealth.unhealthy((noAnswer ? "slurmrestd at " + base + " cannot be reached: "
                    : "slurmrestd answered with an error: ") + e.getMessage());
        }
        List<String> up = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (SlurmrestdDialect.ControllerPing p : d.pings(answer)) {
            (p.up() ? up : down).add(p.host());
        }
        String api = " (API " + d.version() + ")";
        if (!up.isEmpty()) {
            return SystemHealth.healthy("slurmctld " + String.join(", ", up) + " UP"
                    + (down.isEmpty() ? "" : "; DOWN: " + String.join(", ", down)) + api);
        }
        return SystemHealth.unhealthy("slurmrestd answers, but no slurmctld is UP"
                + (down.isEmpty() ? " (no controller listed)" : "; DOWN: " + String.join(", ", down)) + api);
    }

    private JsonNode call(String method, String path, String user, JsonNode body, boolean idempotent) {
        HttpResponse<String> response = send(method, path, user, body, HttpResponse.BodyHandlers.ofString());
        JsonNode answer = parse(response);
        return checked(method, path, user, response.statusCode(), answer, idempotent);
    }

    private <T> HttpResponse<T> send(String method, String path, String user, JsonNode body,
            HttpResponse.BodyHandler<T> handler) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("X-SLURM-USER-NAME", user)
                .header("X-SLURM-USER-TOKEN", tokens.tokenFor(user))
                .header("Accept", "application/json");
        if (body != null) {
            rb.header("Content-Type", "application/json");
            rb.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return http.send(rb.build(), handler);
        } catch (IOException e) {
            throw new SchedulerException(method + " " + path + " failed: " + e.getClass().getSimpleName() + " "
                    + (e.getMessage() == null ? "" : e.getMessage()), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException(method + " " + path + " interrupted", true, e);
        }
    }

    /** Logs the answer's warnings and turns an HTTP error or Slurm's {@code errors} into an exception. */
    private JsonNode checked(String method, String path, String user, int status, JsonNode answer, boolean idempotent) {
        logWarnings(method, path, answer.path("warnings"));
        JsonNode errors = answer.path("errors");
        if (status >= 400 || (errors.isArray() && !errors.isEmpty())) {
            JsonNode first = errors.path(0);
            int number = first.path("error_number").asInt(0);
            String text = errorText(first, status);
            boolean retryable = status >= 500 && number == 0 || status == 503;
            throw new SlurmErrorException(method + " " + path + " as " + user + ": " + text
                    + (number != 0 ? " (Slurm error " + number + ")" : ""), number, retryable && idempotent);
        }
        return answer;
    }

    /**
     * An error's text: its {@code description} and, when it says more, its {@code error} (Slurm
     * 24.11 puts the reason there, e.g. "Batch job submission failed: Invalid feature specification").
     */
    private static String errorText(JsonNode error, int status) {
        String description = error.path("description").asText("");
        String reason = error.path("error").asText("");
        if (description.isEmpty()) {
            return reason.isEmpty() ? "HTTP " + status : reason;
        }
        return reason.isEmpty() || description.contains(reason) ? description : description + ": " + reason;
    }

    /** slurmrestd's {@code warnings[]} do not fail a call; each distinct one is logged once. */
    private void logWarnings(String method, String path, JsonNode warnings) {
        for (JsonNode w : warnings) {
            String text = w.path("description").asText(w.toString())
                    + (w.path("source").asText("").isEmpty() ? "" : " (" + w.path("source").asText() + ")");
            if (warned.size() < MAX_REMEMBERED_WARNINGS && warned.add(text)) {
                LOG.warnf("slurmrestd at %s warns on %s %s: %s", base, method, path, text);
            }
        }
    }

    private JsonNode parse(HttpResponse<String> response) {
        try {
            return json.readTree(response.body() == null || response.body().isEmpty() ? "{}" : response.body());
        } catch (IOException e) {
            throw notJson(response.statusCode(), e);
        }
    }

    private JsonNode parse(HeldBody body, int status) {
        try {
            return body.isEmpty() ? json.createObjectNode() : json.readTree(body.stream());
        } catch (IOException e) {
            throw notJson(status, e);
        }
    }

    private static SchedulerException notJson(int status, IOException e) {
        return new SchedulerException("slurmrestd sent a body that is not JSON (HTTP " + status + ")", status >= 500, e);
    }
}
