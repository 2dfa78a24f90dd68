package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ConflictException;
import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerNotFoundException;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.StartOutcome;
import io.hpcspawner.spawn.model.StartRequest;
import io.hpcspawner.spawn.model.StartRules;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.credentials.LoginKeeper;
import io.hpcspawner.credentials.Secrets;
import io.hpcspawner.credentials.UserLogin;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.rules.EnvironmentRules;
import io.hpcspawner.spawn.rules.JobEnvironment;
import io.hpcspawner.spawn.rules.JobNames;
import io.hpcspawner.spawn.rules.Messages;
import io.hpcspawner.spawn.model.Names;
import io.hpcspawner.spawn.rules.Observation;
import io.hpcspawner.spawn.rules.ServerQuota;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What the API offers on servers: start, stop, status, listing, and the ready signal from the
 * compute node. Access control is the caller's job; this class only keeps the lifecycle rules.
 */
@ApplicationScoped
public class SpawnService {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");

    private final Systems systems;
    private final StartRules start;
    private final ProfileCatalog profiles;
    private final ServerLifecycle lifecycle;
    private final JobLauncher launcher;
    private final SchedulerRegistry schedulers;
    private final LoginKeeper logins;
    private final ClusterUsers users;
    private final EnvironmentRules environmentRules;
    private final ServerReady ready;
    private final JobNames jobNames;
    private final SubmitsInFlight inFlight;
    private final StopCancels cancels;
    private final Clock clock;

    public SpawnService(Systems systems, StartRules start, ProfileCatalog profiles, ServerLifecycle lifecycle, JobLauncher launcher,
            SchedulerRegistry schedulers, LoginKeeper logins, ClusterUsers users, ServerReady ready,
            JobNames jobNames, SubmitsInFlight inFlight, StopCancels cancels, Clock clock) {
        this.jobNames = jobNames;
        this.inFlight = inFlight;
        this.cancels = cancels;
        this.logins = logins;
        this.systems = systems;
        this.start = start;
        this.profiles = profiles;
        this.lifecycle = lifecycle;
        this.launcher = launcher;
        this.schedulers = schedulers;
        this.users = users;
        this.ready = ready;
        this.environmentRules = new EnvironmentRules(start.environmentDenied(), start.environmentAllowed());
        this.clock = clock;
    }

    /**
     * Starts the server, or answers the start already under way with the same start id. The
     * record is durable in state submitting before the job is submitted (in the background).
     */
    public StartOutcome start(ServerKey key, StartRequest request) {
        Names.requireStartId(request.startId());
        JobEnvironment.validate(request.environment(), environmentRules);
        LaunchPlan plan = profiles.plan(users.clusterName(key.user()), request.groups(), request.options());
        users.requireAllowed(key.user(), plan.system(), plan.unixUser());
        if (systems.get(plan.system()).usesUserLogins()) {
            request.login().ifPresent(l -> logins.remember(plan.unixUser(), l));
            if (!logins.knows(plan.unixUser())) {
                throw new InvalidRequestException("login_required", "login", "system " + plan.system()
                        + " acts with the user's own login, and the service holds none for " + key.user()
                        + ": the hub must pass the user's tokens (auth state) with the start; log out and log in again");
            }
        }
        ServerQuota.requireRoom(key, request.startId(), lifecycle.ofUser(key.user()), start.serversPerUser());
        String secret = Secrets.newSecret();
        StartOutcome outcome = lifecycle.withLock(key, () -> {
            Optional<ServerRecord> existing = lifecycle.find(key);
            if (existing.isPresent() && existing.get().startId().equals(request.startId())) {
                return new StartOutcome(existing.get(), false);
            }
            if (existing.isPresent() && existing.get().state().isActive()) {
                ServerRecord r = existing.get();
                throw new ConflictException("server_active", "server " + key + " is already " + r.state().wireName()
                        + " (start " + r.startId() + "); stop it before starting it again");
            }
            String id = Secrets.newServerId();
            String jobName = jobNames.nameFor(id);
            SystemSettings system = systems.get(plan.system());
            String output = system.outputPath().replace("{workdir}", plan.workingDirectory())
                    .replace("{user}", plan.unixUser())
                    .replace("{job}", jobName);
            ServerRecord fresh = ServerRecord.newStart(id, key, request.startId(), Secrets.hash(secret), plan, jobName,
                    output, clock.instant());
            inFlight.begin(id); // before the record is durable: no watcher round may take it for a cut-off submit
            lifecycle.begin(fresh, new Observation.Begin(plan.cpus(), plan.timeLimitMinutes()));
            return new StartOutcome(fresh.copy(), true);
        });
        if (outcome.created()) {
            launcher.launch(outcome.record(), plan, request.environment(), secret);
        }
        return outcome;
    }

    public ServerRecord status(ServerKey key) {
        return lifecycle.find(key).orElseThrow(() -> new ServerNotFoundException(key));
    }

    public List<ServerRecord> list(Optional<String> user) {
        return user.map(lifecycle::ofUser).orElseGet(lifecycle::all).stream()
                .sorted(Comparator.comparing(ServerRecord::user).thenComparing(ServerRecord::server)).toList();
    }

    /**
     * Stops the server in any state. With a job id the job is cancelled now, unless a cancel for this
     * start is in flight or was taken already (a second stop sends no second cancel); while the
     * submit is in flight the launcher cancels the job as soon as its id is known. A failed cancel
     * leaves the server stopping with the reason; the watcher tries again ({@link StopCancels}).
     */
    public ServerRecord stop(ServerKey key) {
        ServerRecord r = lifecycle.stopRequested(key).orElseThrow(() -> new ServerNotFoundException(key));
        if (r.state() != ServerState.STOPPING || r.jobId() == null) {
            return r;
        }
        return cancels.cancel(r, true).or(() -> lifecycle.find(key)).orElse(r);
    }

    /**
     * Keeps a login the hub passed on for every identity the user has on systems that act with user
     * logins (the user's servers there submit, cancel and read output with it).
     */
    public void rememberLogin(String user, UserLogin login) {
        systems.byName().values().stream().filter(SystemSettings::usesUserLogins)
                .map(s -> s.unixUser().replace("{user}", users.clusterName(user))).distinct()
                .forEach(identity -> logins.remember(identity, login));
        lifecycle.ofUser(user).stream().filter(r -> r.state() == ServerState.STOPPING)
                .forEach(cancels::retrySoon); // a cancel refused for want of a login can go now
    }

    /**
     * The compute node reports where the server listens; accepted only with this start's secret,
     * from the node the scheduler runs the job on, and for a port in the system's range.
     */
    public ServerRecord ready(String serverId, String secret, String node, int port) {
        ServerRecord r = lifecycle.findById(serverId).filter(x -> Secrets.matches(secret, x.secretHash()))
                .orElseThrow(() -> new SecurityException(Messages.unknownServerOrSecret()));
        if (node == null || !HOST.matcher(node).matches() || port < 1 || port > 65535) {
            throw new InvalidRequestException("bad_request", node == null || !HOST.matcher(node).matches() ? "host" : "port",
                    "host must be a host name and port a number from 1 to 65535");
        }
        if (!r.state().isStarting()) {
            throw new ConflictException("start_not_active", Messages.readyTooLate(r.startId(), r.state()));
        }
        return ready.at(r, node, port);
    }
}
