package io.hpcspawner.scheduler.slurmrestd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.credentials.SlurmTokenMinter;
import io.hpcspawner.scheduler.JobInfo;
import io.hpcspawner.scheduler.JobPhase;
import io.hpcspawner.scheduler.JobSubmission;
import io.hpcspawner.scheduler.Partition;
import io.hpcspawner.scheduler.Scheduler;
import io.hpcspawner.scheduler.SchedulerException;
import io.hpcspawner.scheduler.SystemHealth;
import io.hpcspawner.scheduler.UserInfo;
import java.io.IOException;
import java.net.URI;
import io.hpcspawner.http.BoundedHttp;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The scheduler port over slurmrestd's REST API (OpenAPI v0.0.38). Each call carries a JWT minted
 * for the acting user. slurmrestd answers most errors with HTTP 500 and an {@code errors} list;
 * this class turns them into {@link SchedulerException}s. slurmrestd has no file API, so job
 * output is read from a shared file system ({@link OutputFiles}).
 */
public final class SlurmrestdScheduler implements Scheduler {

    static final String API = "/slurm/v0.0.38";
    private static final int ESLURM_INVALID_JOB_ID = 2017;
    private static final int ESLURM_ALREADY_DONE = 2021;

    private final URI base;
    private final SlurmTokenMinter tokens;
    private final String serviceUser;
    private final Duration timeout;
    private final OutputFiles output;
    private final ObjectMapper json;
    private final BoundedHttp http;
    private final PosixAccounts accounts = new PosixAccounts();

    public SlurmrestdScheduler(URI base, SlurmTokenMinter tokens, String serviceUser, Duration timeout,
            OutputFiles output, ObjectMapper json) {
        this.base = base;
        this.tokens = tokens;
        this.serviceUser = serviceUser;
        this.timeout = timeout;
        this.output = output;
        this.json = json;
        this.http = new BoundedHttp(timeout);
    }

    @Override
    public String submit(JobSubmission r) {
        ObjectNode body = json.createObjectNode();
        body.put("script", r.script());
        ObjectNode job = body.putObject("job");
        job.put("name", r.name());
        job.put("partition", r.partition());
        job.put("current_working_directory", r.workingDirectory());
        job.put("standard_output", r.outputPath());
        job.put("standard_error", r.outputPath());
        job.put("time_limit", r.timeLimitMinutes());
        job.put("tasks", 1);
        job.put("cpus_per_task", r.cpus());
        r.memory().ifPresent(m -> job.put("memory_per_node", MemorySize.toMegabytes(m)));
        r.account().ifPresent(a -> job.put("account", a));
        ObjectNode env = job.putObject("environment");
        r.environment().forEach(env::put);
        JsonNode answer = call("POST", API + "/job/submit", r.user(), body, false);
        JsonNode id = answer.path("job_id");
        if (!id.canConvertToLong()) {
            throw new SchedulerException("slurmrestd accepted the submit but returned no job id", false);
        }
        return id.asText();
    }

    @Override
    public List<JobInfo> jobs(Set<String> jobIds, String namePrefix) {
        JsonNode answer = call("GET", API + "/jobs", serviceUser, null, true);
        List<JobInfo> found = new ArrayList<>();
        for (JsonNode j : jobList(answer, "GET " + API + "/jobs")) {
            String id = j.path("job_id").asText();
            String name = j.path("name").asText("");
            if (jobIds.contains(id) || (namePrefix != null && name.startsWith(namePrefix))) {
                found.add(toJobInfo(j));
            }
        }
        return found;
    }

    /**
     * {@code GET /job/{id}}: slurmrestd names a job it does not know with Slurm error 2017; an
     * answer without that error and without the job is a doubt, not an answer.
     */
    @Override
    public Optional<JobInfo> job(String jobId) {
        String path = API + "/job/" + jobId;
        JsonNode answer;
        try {
            answer = call("GET", path, serviceUser, null, true);
        } catch (SlurmErrorException e) {
            if (e.errorNumber() == ESLURM_INVALID_JOB_ID) {
                return Optional.empty();
            }
            throw e;
        }
        for (JsonNode j : jobList(answer, "GET " + path)) {
            if (jobId.equals(j.path("job_id").asText())) {
                return Optional.of(toJobInfo(j));
            }
        }
        throw new SchedulerException("GET " + path + ": the answer does not list job " + jobId
                + " and does not say it is unknown", true);
    }

    /** The answer's job list; an answer without one (missing, null, not a list) is an error, never "no jobs". */
    private static JsonNode jobList(JsonNode answer, String what) {
        JsonNode jobs = answer.path("jobs");
        if (!jobs.isArray()) {
            throw new SchedulerException(what + ": the answer has no job list (\"jobs\" is "
                    + (jobs.isMissingNode() ? "missing" : jobs.getNodeType().name().toLowerCase(java.util.Locale.ROOT))
                    + "); read as unknown, not as no jobs", true);
        }
        return jobs;
    }

    static JobInfo toJobInfo(JsonNode j) {
        String state = j.path("job_state").asText("");
        JobPhase phase = JobPhase.ofSlurmState(state);
        String reason = j.path("state_reason").asText("");
        String node = j.path("batch_host").asText(""); // the node running the batch script
        Optional<Integer> exit = Optional.empty();
        if (phase == JobPhase.ENDED && j.path("exit_code").canConvertToInt()) {
            exit = Optional.of(exitStatus(j.path("exit_code").asInt()));
        }
        return new JobInfo(j.path("job_id").asText(), j.path("name").asText(""), j.path("user_name").asText(""),
                phase, state, reason.isEmpty() || "None".equals(reason) ? Optional.empty() : Optional.of(reason),
                node.isEmpty() || phase == JobPhase.PENDING ? Optional.empty() : Optional.of(node), exit,
                submitTime(j.path("submit_time")));
    }

    /** v0.0.38 gives epoch seconds; later versions {@code {"set": true, "number": n}}. Zero means not known. */
    private static Optional<java.time.Instant> submitTime(JsonNode t) {
        JsonNode n = t.isObject() ? t.path("number") : t;
        return n.canConvertToLong() && n.asLong() > 0 ? Optional.of(java.time.Instant.ofEpochSecond(n.asLong()))
                : Optional.empty();
    }

    /** slurmrestd reports the raw wait status: {@code exit 3} arrives as 768, a signal as its number. */
    static int exitStatus(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal != 0 ? 128 + signal : (waitStatus >> 8) & 0xff;
    }

    @Override
    public void cancel(String jobId, String user) {
        try {
            call("DELETE", API + "/job/" + jobId, user, null, true);
        } catch (SlurmErrorException e) {
            if (e.errorNumber() == ESLURM_INVALID_JOB_ID || e.errorNumber() == ESLURM_ALREADY_DONE) {
                return; // gone or already ended: nothing left to cancel
            }
            throw e;
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

    @Override
    public List<Partition> partitions() {
        JsonNode answer = call("GET", API + "/partitions", serviceUser, null, true);
        List<Partition> result = new ArrayList<>();
        for (JsonNode p : answer.path("partitions")) {
            result.add(new Partition(p.path("name").asText(), p.path("state").asText(""), p.path("total_cpus").asInt(),
                    p.path("total_nodes").asInt()));
        }
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
        try {
            answer = call("GET", API + "/ping", serviceUser, null, true);
        } catch (SchedulerException e) {
            boolean noAnswer = e.neverReachedApi() || e.getCause() instanceof IOException
                    && !(e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException);
            return SystemHealth.unhealthy((noAnswer ? "slurmrestd at " + base + " cannot be reached: "
                    : "slurmrestd answered with an error: ") + e.getMessage());
        }
        List<String> up = new ArrayList<>();
        List<String> down = new ArrayList<>();
        for (JsonNode p : answer.path("pings")) {
            String host = p.path("hostname").asText("?") + (p.path("mode").asText("").isEmpty() ? ""
                    : " (" + p.path("mode").asText() + ")");
            ("UP".equals(p.path("ping").asText()) ? up : down).add(host);
        }
        if (!up.isEmpty()) {
            return SystemHealth.healthy("slurmctld " + String.join(", ", up) + " UP"
                    + (down.isEmpty() ? "" : "; DOWN: " + String.join(", ", down)));
        }
        return SystemHealth.unhealthy("slurmrestd answers, but no slurmctld is UP"
                + (down.isEmpty() ? " (no controller listed)" : "; DOWN: " + String.join(", ", down)));
    }

    private JsonNode call(String method, String path, String user, JsonNode body, boolean idempotent) {
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
        HttpResponse<String> response;
        try {
            response = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchedulerException(method + " " + path + " failed: " + e.getClass().getSimpleName() + " "
                    + (e.getMessage() == null ? "" : e.getMessage()), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException(method + " " + path + " interrupted", true, e);
        }
        JsonNode answer = parse(response);
        JsonNode errors = answer.path("errors");
        if (response.statusCode() >= 400 || (errors.isArray() && !errors.isEmpty())) {
            JsonNode first = errors.path(0);
            int number = first.path("error_number").asInt(0);
            String text = first.path("description").asText(first.path("error").asText("HTTP " + response.statusCode()));
            boolean retryable = response.statusCode() >= 500 && number == 0 || response.statusCode() == 503;
            throw new SlurmErrorException(method + " " + path + " as " + user + ": " + text
                    + (number != 0 ? " (Slurm error " + number + ")" : ""), number, retryable && idempotent);
        }
        return answer;
    }

    private JsonNode parse(HttpResponse<String> response) {
        try {
            return json.readTree(response.body() == null || response.body().isEmpty() ? "{}" : response.body());
        } catch (IOException e) {
            throw new SchedulerException("slurmrestd sent a body that is not JSON (HTTP " + response.statusCode() + ")",
                    response.statusCode() >= 500, e);
        }
    }
}
