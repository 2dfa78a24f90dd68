package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.Parameters;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.extension.ServeEventListener;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A FirecREST v2 server for the end-to-end suite, where no FirecREST can run: WireMock answers
 * every call from a {@link SimulatedCluster} that really runs the submitted scripts on this
 * machine, checks each bearer token against the real Keycloak's keys ({@link KeycloakSignatures}),
 * and validates every request and answer against the official OpenAPI document
 * ({@link SpecValidator}). It behaves as a real FirecREST 2.5.7 in rest mode did against Slurm 24.11
 * (the recorded answers in {@code shared/specs/recorded/firecrest-v2/}): a token without an
 * {@code email} claim is a service account, and only a service account's {@code allusers=true}
 * lists other users' jobs; the listing carries every job that ended in the last 24 hours, or in
 * the {@code time_window} asked for ({@link JobListings}); {@code nodes} is {@code ""} while
 * pending; a token with under 30 s left gets 401 "Access token expires too soon (less than 30s
 * remaining)"; {@code ops/tail} and {@code ops/head} take {@code lines} or {@code bytes} and
 * {@code skipHeading}/{@code skipTrailing}, and {@code ops/stat} answers a file's size. {@code GET /__sim/stats} reports the calls by endpoint and identity,
 * the refused tokens and the spec violations, so the suite can assert on them.
 *
 * <pre>java -cp ... io.hpcspawner.scheduler.firecrest.FirecrestSimulator PORT SYSTEM ISSUER SERVICE_CLIENT_ID STATE_DIR</pre>
 */
public final class FirecrestSimulator {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOBS = Pattern.compile("/compute/([^/]+)/jobs");
    private static final Pattern JOB = Pattern.compile("/compute/([^/]+)/jobs/([^/]+)");
    private static final Pattern OPS = Pattern.compile("/filesystem/([^/]+)/ops/(head|tail|stat)");
    private static final Pattern STATUS = Pattern.compile("/status/([^/]+)/(userinfo|partitions)");

    private final String system;
    private final String serviceClient;
    private final KeycloakSignatures signatures;
    private final SimulatedCluster cluster;
    private final String node;
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private final List<String> refusals = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicLong> calls = new ConcurrentHashMap<>();

    FirecrestSimulator(String system, String issuer, String serviceClient, SimulatedCluster cluster, String node) {
        this.system = system;
        this.serviceClient = serviceClient;
        this.signatures = new KeycloakSignatures(issuer);
        this.cluster = cluster;
        this.node = node;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: FirecrestSimulator PORT SYSTEM ISSUER SERVICE_CLIENT_ID STATE_DIR");
            System.exit(2);
        }
        SimulatedCluster cluster = new SimulatedCluster(Path.of(args[4]), Duration.ofSeconds(2));
        String node = InetAddress.getLocalHost().getHostName().split("\\.")[0];
        FirecrestSimulator sim = new FirecrestSimulator(args[1], args[2], args[3], cluster, node);
        WireMockServer server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1")
                .port(Integer.parseInt(args[0])).containerThreads(40).disableRequestJournal()
                .extensions(sim.new Answers(), sim.new Validation()));
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cluster.shutdown();
            server.stop();
        }));
        System.out.println("FirecREST simulator for system " + args[1] + " on http://127.0.0.1:" + server.port()
                + " (tokens from " + args[2] + ")");
        new CountDownLatch(1).await();
    }

    /** Answers every call from the simulated cluster. */
    final class Answers implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "firecrest-simulator";
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            try {
                return answer(event.getRequest());
            } catch (RuntimeException e) {
                violations.add(event.getRequest().getMethod() + " " + event.getRequest().getUrl() + ": simulator error " + e);
                return reply(500, JobModelBodies.error("simulator error: " + e.getMessage()));
            }
        }
    }

    /** Validates every exchange against the official document once it is complete. */
    final class Validation implements ServeEventListener {
        @Override
        public String getName() {
            return "firecrest-spec-validation";
        }

        @Override
        public void afterComplete(ServeEvent event, Parameters parameters) {
            if (!event.getRequest().getUrl().startsWith("/__sim")) {
                violations.addAll(SpecValidator.V2.problems(List.of(event), List.of()));
            }
        }
    }

    private ResponseDefinition answer(LoggedRequest request) {
        String method = request.getMethod().getName();
        String path = URI.create(request.getUrl()).getPath();
        if (path.equals("/__sim/stats")) {
            return reply(200, stats().toString());
        }
        KeycloakSignatures.Verdict token = signatures.check(request.getHeader("Authorization"), Instant.now());
        // FirecREST's rule: a token without an email claim is a service account's.
        String identity = token.claims() == null ? "none" : !token.claims().hasNonNull("email")
                ? "service" : "user:" + token.claims().path("preferred_username").asText();
        if (token.claims() != null && serviceClient.equals(token.claims().path("azp").asText())
                && identity.startsWith("user:")) {
            violations.add(method + " " + path + ": the service client's token has an email claim: FirecREST takes it"
                    + " for a user, who sees only their own jobs (remove the email scope from the service client)");
        }
        String endpoint = method + " " + template(path);
        calls.computeIfAbsent(endpoint + " as " + identity.replaceFirst(":.*", ""), k -> new AtomicLong()).incrementAndGet();
        if (!token.ok()) {
            refusals.add(endpoint + ": " + token.refusal());
            return reply(401, JobModelBodies.error(token.refusal()));
        }
        String user = identity.startsWith("user:") ? identity.substring(5) : null;
        Matcher m;
        if ((m = JOBS.matcher(path)).matches() && known(m.group(1))) {
            if (method.equals("GET")) {
                String window = request.queryParameter("time_window").isPresent()
                        ? request.queryParameter("time_window").firstValue() : null;
                Optional<Duration> covers = JobListings.window(window);
                if (covers.isEmpty()) {
                    return reply(400, JobModelBodies.validationError("Request validation error", "query", "time_window",
                            "Input should be '1h', '8h', '24h', '3d' or '7d'"));
                }
                boolean allUsers = request.queryParameter("allusers").isPresent()
                        && request.queryParameter("allusers").firstValue().equals("true") && user == null;
                String owner = user == null ? serviceAccount(token.claims()) : user;
                return reply(200, jobList(cluster.all().stream().filter(j -> allUsers || j.user.equals(owner)).toList(),
                        covers.get()));
            }
            if (method.equals("POST")) {
                return user == null ? asService(endpoint) : submit(user, request);
            }
        }
        if ((m = JOB.matcher(path)).matches() && known(m.group(1))) {
            Optional<SimulatedCluster.Job> job = cluster.job(m.group(2));
            if (job.isEmpty()) {
                return reply(404, JobModelBodies.error("Job " + m.group(2) + " not found"));
            }
            if (method.equals("GET")) {
                return reply(200, jobList(List.of(job.get()), null));
            }
            if (method.equals("DELETE")) {
                if (user == null) {
                    return asService(endpoint);
                }
                if (!user.equals(job.get().user)) {
                    return reply(403, JobModelBodies.error("Job " + job.get().id + " belongs to " + job.get().user));
                }
                cluster.cancel(job.get());
                return ResponseDefinition.noContent();
            }
        }
        if ((m = OPS.matcher(path)).matches() && known(m.group(1)) && method.equals("GET")) {
            if (user == null) {
                return asService(endpoint);
            }
            return fileOp(m.group(2), user, request);
        }
        if (path.equals("/status/systems") && method.equals("GET")) {
            return reply(200, "{\"systems\": [" + FirecrestV2SchedulerTest.cluster(system, "["
                    + FirecrestV2SchedulerTest.probe("scheduler", true, null) + ", "
                    + FirecrestV2SchedulerTest.probe("ssh", true, null) + "]") + "]}");
        }
        if ((m = STATUS.matcher(path)).matches() && known(m.group(1)) && method.equals("GET")) {
            if (m.group(2).equals("partitions")) {
                return reply(200, """
                        {"partitions": [{"name": "normal", "partition": "UP", "cpus": 4, "totalNodes": 1}]}""");
            }
            if (user == null) {
                return asService(endpoint);
            }
            return reply(200, "{\"user\": {\"id\": \"1000\", \"name\": \"" + user + "\"},"
                    + " \"group\": {\"id\": \"1000\", \"name\": \"" + user + "\"},"
                    + " \"groups\": [{\"id\": \"1000\", \"name\": \"" + user + "\"}],"
                    + " \"accounts\": [{\"name\": \"csstaff\", \"default\": true}]}");
        }
        return reply(404, JobModelBodies.error("the simulator does not know " + endpoint));
    }

    /** {@code ops/stat}, {@code ops/head} and {@code ops/tail} as FirecREST answers them. */
    private ResponseDefinition fileOp(String op, String user, LoggedRequest request) {
        String file = request.queryParameter("path").isPresent() ? request.queryParameter("path").firstValue() : "";
        if (op.equals("stat")) {
            return cluster.size(user, file).map(size -> reply(200, JobModelBodies.stat(size)))
                    .orElseGet(() -> reply(404, JobModelBodies.error("stat: cannot statx '" + file
                            + "': No such file or directory")));
        }
        Integer lines = intParameter(request, "lines");
        Integer bytes = intParameter(request, "bytes");
        if (lines != null && bytes != null) {
            return reply(400, JobModelBodies.error("Only one of `bytes` or `lines` can be specified."));
        }
        String skipName = op.equals("tail") ? "skipHeading" : "skipTrailing";
        boolean skip = request.queryParameter(skipName).isPresent()
                && request.queryParameter(skipName).firstValue().equals("true");
        int n = bytes != null ? bytes : lines != null ? lines : 10;
        // FirecREST's positions: head from 0 to n (-n when skipping); tail from -n (n when skipping) to -1
        int start = op.equals("tail") ? (skip ? n : -n) : 0;
        int end = op.equals("tail") ? -1 : (skip ? -n : n);
        String unit = bytes != null ? "bytes" : "lines";
        return cluster.read(op, user, file, lines, bytes, skip)
                .map(text -> reply(200, JobModelBodies.fileContent(text, unit, start, end)))
                .orElseGet(() -> reply(404, JobModelBodies.error(op + ": cannot open '" + file
                        + "' for reading: No such file or directory")));
    }

    private static Integer intParameter(LoggedRequest request, String name) {
        return request.queryParameter(name).isPresent() ? Integer.valueOf(request.queryParameter(name).firstValue()) : null;
    }

    /** The name FirecREST gives a service account: its {@code preferred_username}. */
    private static String serviceAccount(JsonNode claims) {
        return claims.path("preferred_username").asText();
    }

    private boolean known(String name) {
        return system.equals(name);
    }

    private ResponseDefinition asService(String endpoint) {
        violations.add(endpoint + ": called with the service account's token; FirecREST would act as the service account");
        return reply(403, JobModelBodies.error("this call must be made with the user's token"));
    }

    private ResponseDefinition submit(String user, LoggedRequest request) {
        JsonNode job;
        try {
            job = JSON.readTree(request.getBodyAsString()).path("job");
        } catch (Exception e) {
            return reply(422, JobModelBodies.error("unreadable body"));
        }
        Map<String, String> env = new LinkedHashMap<>();
        job.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        SimulatedCluster.Job submitted = cluster.submit(user, job.path("name").asText(), job.path("workingDirectory").asText(),
                job.path("script").asText(), env, job.path("standardOutput").asText());
        return reply(201, "{\"jobId\": \"" + submitted.id + "\"}");
    }

    /** The {@code GetJobResponse} of {@code listed}; with a window, only active jobs and those that ended within it. */
    private String jobList(List<SimulatedCluster.Job> listed, Duration window) {
        ArrayNode jobs = JSON.createArrayNode();
        Instant now = Instant.now();
        for (SimulatedCluster.Job j : listed) {
            ObjectNode model = model(j);
            if (window == null || JobListings.listed(model, window, now)) {
                jobs.add(model);
            }
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("jobs", jobs);
        return body.toString();
    }

    private ObjectNode model(SimulatedCluster.Job j) {
        SimulatedCluster.State state = j.state;
        ObjectNode model = JobModelBodies.job(j.id, j.name, j.user, state.name());
        boolean pending = state == SimulatedCluster.State.PENDING;
        JobModelBodies.withStatus(model, state.name(), pending ? "Priority" : "None", pending ? null : j.exitCode == null
                ? 0 : j.exitCode, null);
        // rest mode, as recorded: nodes "" while pending
        JobModelBodies.withNodes(model, pending ? "" : node, 1);
        model.put("workingDirectory", j.workingDirectory);
        ObjectNode time = (ObjectNode) model.get("time");
        time.put("start", j.started == null ? 0 : j.started.getEpochSecond());
        if (j.ended == null) {
            time.put("end", 0);
        } else {
            time.put("end", j.ended.getEpochSecond());
        }
        time.put("elapsed", j.started == null ? 0 : Duration.between(j.started, j.ended == null ? Instant.now() : j.ended)
                .toSeconds());
        return model;
    }

    private static String template(String path) {
        return path.replaceFirst("^/(compute|filesystem|status)/[^/]+", "/$1/{system}")
                .replaceFirst("/jobs/[^/]+", "/jobs/{jobId}");
    }

    private ObjectNode stats() {
        ObjectNode s = JSON.createObjectNode();
        ObjectNode c = s.putObject("calls");
        new java.util.TreeMap<>(calls).forEach((k, v) -> c.put(k, v.get()));
        ArrayNode v = s.putArray("violations");
        synchronized (violations) {
            violations.forEach(v::add);
        }
        ArrayNode r = s.putArray("refusals");
        synchronized (refusals) {
            refusals.forEach(r::add);
        }
        ArrayNode jobs = s.putArray("jobs");
        for (SimulatedCluster.Job j : cluster.all()) {
            ObjectNode o = jobs.addObject();
            o.put("id", j.id);
            o.put("name", j.name);
            o.put("user", j.user);
            o.put("state", j.state.name());
        }
        return s;
    }

    private static ResponseDefinition reply(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body).build();
    }
}
