package io.hpcspawner.spawn.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable record of one start of one server: what was asked, which job runs it, where it
 * listens, and everything that happened to it. It holds no secret in clear (the start secret is
 * kept as a hash; the hub's environment is never stored). Instances are changed only by
 * the service layer's {@code ServerLifecycle} under the server's lock, through {@link #apply}; everyone else works on copies.
 */
public final class ServerRecord {

    private String id;
    private String user;
    private String server;
    private String startId;
    private String secretHash;
    private String system;
    private String profile;
    private Map<String, String> options = new LinkedHashMap<>();
    private String unixUser;
    private String jobName;
    private String jobId;
    private String outputPath;
    private ServerState state;
    private String node;
    private String host;
    private Integer port;
    private String url;
    private String message;
    private String pendingReason;
    private Instant expectedStart;
    private Integer queuePosition;
    private Integer exitCode;
    private Instant createdAt;
    private Instant startDeadline;
    private Instant updatedAt;
    private Instant unknownSince;
    private Instant missingSince;
    private List<Transition> transitions = new ArrayList<>();
    private List<ProgressEvent> events = new ArrayList<>();

    /** For the store's deserialiser. */
    ServerRecord() {
    }

    public static ServerRecord newStart(String id, ServerKey key, String startId, String secretHash, LaunchPlan plan,
            String jobName, String outputPath, Instant now) {
        ServerRecord r = new ServerRecord();
        r.id = id;
        r.user = key.user();
        r.server = key.server();
        r.startId = startId;
        r.secretHash = secretHash;
        r.system = plan.system();
        r.profile = plan.profile();
        r.options = new LinkedHashMap<>(plan.chosenOptions());
        r.unixUser = plan.unixUser();
        r.jobName = jobName;
        r.outputPath = outputPath;
        r.createdAt = now;
        r.startDeadline = plan.startTimeout() == null ? null : now.plus(plan.startTimeout());
        r.updatedAt = now;
        return r;
    }

    /** A deep copy, safe to hand out. */
    public ServerRecord copy() {
        ServerRecord c = new ServerRecord();
        c.id = id;
        c.user = user;
        c.server = server;
        c.startId = startId;
        c.secretHash = secretHash;
        c.system = system;
        c.profile = profile;
        c.options = new LinkedHashMap<>(options);
        c.unixUser = unixUser;
        c.jobName = jobName;
        c.jobId = jobId;
        c.outputPath = outputPath;
        c.state = state;
        c.node = node;
        c.host = host;
        c.port = port;
        c.url = url;
        c.message = message;
        c.pendingReason = pendingReason;
        c.expectedStart = expectedStart;
        c.queuePosition = queuePosition;
        c.exitCode = exitCode;
        c.createdAt = createdAt;
        c.startDeadline = startDeadline;
        c.updatedAt = updatedAt;
        c.unknownSince = unknownSince;
        c.missingSince = missingSince;
        c.transitions = new ArrayList<>(transitions);
        c.events = new ArrayList<>(events);
        return c;
    }

    public ServerKey key() {
        return new ServerKey(user, server);
    }

    public String id() { return id; }
    public String user() { return user; }
    public String server() { return server; }
    public String startId() { return startId; }
    public String secretHash() { return secretHash; }
    public String system() { return system; }
    public String profile() { return profile; }
    public Map<String, String> options() { return Map.copyOf(options); }
    public String unixUser() { return unixUser; }
    public String jobName() { return jobName; }
    public String jobId() { return jobId; }
    public String outputPath() { return outputPath; }
    public ServerState state() { return state; }
    public String node() { return node; }
    public String host() { return host; }
    public Integer port() { return port; }
    public String url() { return url; }
    public String message() { return message; }
    public String pendingReason() { return pendingReason; }
    /** When the scheduler expects the queued job to start ({@code null}: no estimate, or not queued). */
    public Instant expectedStart() { return expectedStart; }
    /** Where the queued job stands in its partition's queue (1: next), {@code null} when not known. */
    public Integer queuePosition() { return queuePosition; }
    public Integer exitCode() { return exitCode; }
    public Instant createdAt() { return createdAt; }
    /** When a start still queued or starting is given up ({@code null} for records from before the setting). */
    public Instant startDeadline() { return startDeadline; }
    public Instant updatedAt() { return updatedAt; }
    public Instant unknownSince() { return unknownSince; }
    public Instant missingSince() { return missingSince; }
    public List<Transition> transitions() { return List.copyOf(transitions); }
    public List<ProgressEvent> events() { return List.copyOf(events); }

    public long lastEventId() {
        return events.isEmpty() ? 0 : events.get(events.size() - 1).id();
    }

    /**
     * Makes {@code change} (decided by {@link io.hpcspawner.spawn.rules.Lifecycle}) at {@code now}: its fields set,
     * then its state entered with its message and a progress event for the user.
     */
    public void apply(Change change, Instant now) {
        for (Change.Edit e : change.edits()) {
            edit(e);
        }
        change.exitCode().ifPresent(this::exitCode);
        change.message().ifPresent(text -> {
            enter(change.state(), text, now);
            ServerState s = state;
            addEvent(new ProgressEvent(0, s.progress(), text, s, s == ServerState.RUNNING, s == ServerState.FAILED,
                    s == ServerState.STOPPED, s == ServerState.RUNNING ? url : null, now, change.code().orElse(null)));
        });
        touch(now);
    }

    private void edit(Change.Edit e) {
        if (e instanceof Change.JobId v) {
            jobId = v.value();
        } else if (e instanceof Change.Node v) {
            node = v.value();
        } else if (e instanceof Change.Endpoint v) {
            endpoint(v.host(), v.port(), v.url());
        } else if (e instanceof Change.PendingReason v) {
            pendingReason = v.value();
        } else if (e instanceof Change.ExpectedStart v) {
            expectedStart = v.value();
        } else if (e instanceof Change.QueuePosition v) {
            queuePosition = v.value();
        } else if (e instanceof Change.DoubtsCleared) {
            unknownSince = null;
            missingSince = null;
        } else if (e instanceof Change.UnknownSince v) {
            unknownSince = v.at();
        } else if (e instanceof Change.MissingSince v) {
            missingSince = v.at();
        }
    }

    // Mutators: package-private, used by apply (and the model's test helper ServerRecords) only.

    void enter(ServerState next, String text, Instant now) {
        if (next != state) {
            transitions.add(new Transition(next, now));
        }
        state = next;
        message = text;
        updatedAt = now;
    }

    ProgressEvent addEvent(ProgressEvent draft) {
        ProgressEvent e = new ProgressEvent(lastEventId() + 1, draft.progress(), draft.message(), draft.state(),
                draft.ready(), draft.failed(), draft.stopped(), draft.url(), draft.at(), draft.code());
        events.add(e);
        return e;
    }

    void jobId(String value) { jobId = value; }
    void node(String value) { node = value; }
    void endpoint(String h, int p, String u) { host = h; port = p; url = u; }
    void message(String value) { message = value; }
    void pendingReason(String value) { pendingReason = value; }
    void exitCode(Integer value) { exitCode = value; }
    void unknownSince(Instant value) { unknownSince = value; }
    void missingSince(Instant value) { missingSince = value; }
    void touch(Instant now) { updatedAt = now; }
}
