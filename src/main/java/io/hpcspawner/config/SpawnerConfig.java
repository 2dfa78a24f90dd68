package io.hpcspawner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole site configuration of the spawner service (prefix {@code hpcspawner}). Every key is
 * checked at start-up ({@link SettingChecks} each on its own, {@code app.ConfigChecks} across keys);
 * a bad value stops the service with one message per problem.
 */
@ConfigMapping(prefix = "hpcspawner")
public interface SpawnerConfig {

    /** Base URL of this service as the compute nodes reach it, e.g. {@code http://spawner.example:8090}; the batch job posts its ready signal there. Without it jobs report through their output only. */
    Optional<URI> publicUrl();

    /** Who may call the API. */
    Auth auth();

    /** Where server records are kept. */
    Store store();

    /**
     * The site's configuration file ({@link SiteConfigFile}): read below {@code -D} and environment
     * variables, above {@code config/application.properties}.
     */
    Optional<Path> configFile();

    /** Limits per user. */
    Limits limits();

    /** The end-to-end health check (off until {@code hub-api-url} and {@code hub-token} are set). */
    HealthCheck healthCheck();

    /**
     * Every job this service submits is named {@code <prefix>-<deployment id>-<server id>}. Jobs of
     * this deployment with no live server are cancelled; jobs of other deployments with the same
     * prefix are reported and never touched.
     */
    @WithDefault("hpcsp")
    String jobNamePrefix();

    /**
     * This deployment's id, carried in its job names. Normally created once and kept in the store
     * ({@code deployment.identity}); set it only to give a new store a known id (e.g. several
     * replicas of one deployment). A store made with another id is refused.
     */
    Optional<String> deploymentId();

    /** The sweep that cancels this deployment's jobs that belong to no server. */
    Orphans orphans();

    /** The clusters this service submits to, by name. */
    Map<String, SystemConfig> systems();

    /** The choices offered to users in the options form, by key. */
    Map<String, ProfileConfig> profiles();

    /** Batch script rendering. */
    Batch batch();

    /** The job watcher. */
    Watch watch();

    /** Which replica runs the watcher and the record retention (docs/operations.md, "Several replicas"). */
    LeaderElection leadership();

    /** How a start's submit waits out a cluster that cannot be reached. */
    Submit submit();

    /** Which hub users may have jobs on the clusters, and under which cluster user name. */
    Users users();

    /** Rules for the environment a start carries to its job. */
    JobEnvironmentConfig jobEnvironment();

    /**
     * Who may run jobs. A user is refused (403) when the cluster name is on the deny list (root,
     * each system's service user and the service's own user always are), not on the allow list
     * (when one is set), does not exist on a cluster that acts as any named user (slurmrestd), or
     * has a uid below {@code min-uid}.
     */
    interface Users {
        /** Lowest uid a job may run as; system accounts sit below it. */
        @WithDefault("1000")
        long minUid();

        /** Cluster user names that never run jobs, on top of root, the systems' service users and the service's own user. */
        Optional<List<String>> denied();

        /** When set, only these cluster user names run jobs. */
        Optional<List<String>> allowed();

        /** Lower-case hub user names before they become cluster user names (hubs whose login keeps the case). */
        @WithDefault("false")
        boolean lowercase();

        /** Explicit hub user name to cluster user name mapping, e.g. {@code hpcspawner.users.names."Jane.Doe"=jdoe}. */
        Map<String, String> names();
    }

    /** {@code hpcspawner.job-environment.*}. */
    interface JobEnvironmentConfig {
        /**
         * Environment variable names a start may not set, each a name or a prefix ending in
         * {@code *}: they let whoever sets them run code in the job (shell start-up files, the
         * dynamic linker, interpreters' start-up hooks) or steer Slurm inside it.
         */
        @WithDefault("BASH_ENV,ENV,BASH_FUNC_*,SHELLOPTS,BASHOPTS,PS4,PROMPT_COMMAND,IFS,CDPATH,GLOBIGNORE,"
                + "LD_*,GCONV_PATH,GETCONF_DIR,HOSTALIASES,LOCALDOMAIN,RES_OPTIONS,MALLOC_*,GLIBC_TUNABLES,NLSPATH,"
                + "PYTHONSTARTUP,PYTHONPATH,PYTHONHOME,PYTHONINSPECT,PYTHONUSERBASE,PYTHONBREAKPOINT,"
                + "PERL5OPT,PERL5LIB,PERLLIB,PERL5DB,RUBYOPT,RUBYLIB,NODE_OPTIONS,NODE_PATH,"
                + "JAVA_TOOL_OPTIONS,_JAVA_OPTIONS,JDK_JAVA_OPTIONS,SLURM_*,SBATCH_*,SRUN_*,SALLOC_*")
        List<String> denied();

        /** Names allowed although {@code denied} matches them, e.g. {@code PYTHONPATH}. */
        Optional<List<String>> allowed();
    }

    /** The Keycloak realm that issues FirecREST's tokens; required when a system uses a FirecREST backend. */
    Optional<Keycloak> keycloak();

    /** Keycloak: users' logins (passed on by the hub) and the service account. */
    interface Keycloak {
        /** The realm's issuer URL, e.g. {@code https://auth.example.org/realms/hpc}. */
        URI issuer();

        /** The client the hub logs users in with: the service refreshes users' tokens as this client (Keycloak accepts no other). */
        KeycloakClientConfig userClient();

        /** The confidential client whose service account polls every user's jobs. */
        KeycloakClientConfig serviceClient();

        /**
         * 32 random bytes in base64 that encrypt the stored refresh tokens; make one with
         * {@code openssl rand -base64 32}. Also {@code file:<path>} or {@code vault:<path>#<field>}.
         */
        String tokenEncryptionKey();

        /**
         * Keys that sealed stored logins before {@link #tokenEncryptionKey()} was rotated: they only
         * open (and the service re-seals with the newest key), never seal. Each written like the
         * main key; comma-separated or indexed ({@code ...previous-token-encryption-keys[0]=file:/...}).
         */
        Optional<List<String>> previousTokenEncryptionKeys();

        /** How often a secret from Vault or a file is read again (rotation); default 60 s. */
        Optional<Duration> secretRefresh();

        /** {@link #secretRefresh()} or its default. */
        default Duration secretRefreshOrDefault() {
            return secretRefresh().orElse(Duration.ofSeconds(60));
        }

        /**
         * The least life a token may have left when FirecREST receives it; default 30 s,
         * FirecREST's own {@code min_token_ttl}. Set it to the site's value if that differs.
         */
        Optional<Duration> minTokenValidity();

        /**
         * Extra life a token must have left beyond {@link #minTokenValidity()} when it is sent (the
         * request's time on the way, clock skew); default 15 s. Tokens are renewed once they have
         * the sum or less left.
         */
        Optional<Duration> tokenMargin();

        /** Replaced by {@link #minTokenValidity()} and {@link #tokenMargin()}; start-up names it as a problem. */
        Optional<Duration> renewMargin();

        /** Timeout of one call to Keycloak; default 10 s. */
        Optional<Duration> requestTimeout();

        // No @WithDefault in this optional group: a default would make the group present (and
        // its required keys missing) on sites without Keycloak.

        /** {@link #requestTimeout()} or its default. */
        default Duration requestTimeoutOrDefault() {
            return requestTimeout().orElse(Duration.ofSeconds(10));
        }
    }

    /** One confidential Keycloak client. */
    interface KeycloakClientConfig {
        /** The client id, e.g. {@code jupyterhub}. */
        String id();

        /** The client secret: the value, {@code file:<path>} or {@code vault:<kv path>#<field>} (docs/secrets.md). */
        String secret();
    }

    /** API credentials. */
    interface Auth {
        /** Token the hub presents; it reaches every user's servers and the admin listing. At least 32 characters. */
        String hubToken();

        /** Static per-user tokens (user name to token), for tools and tests. */
        Map<String, String> userTokens();

        /** JupyterHub API URL (e.g. {@code http://hub:8081/hub/api}); when set, a user's JupyterHub API token that carries {@link #requiredScope()} is accepted for that user's servers. */
        Optional<URI> jupyterhubApiUrl();

        /**
         * The JupyterHub scope a user's token must carry, plain or filtered to that user
         * ({@code custom:hpcspawner:servers!user=alice}); define it in {@code c.JupyterHub.custom_scopes}
         * and grant it with a role in {@code c.JupyterHub.load_roles}.
         */
        @WithDefault("custom:hpcspawner:servers")
        String requiredScope();

        /** How long a verified JupyterHub token is trusted before it is checked again. Only positive answers are kept. */
        @WithDefault("60s")
        Duration tokenCacheTtl();

        /** Most verified JupyterHub tokens kept at once (least used ones are dropped first). */
        @WithDefault("10000")
        int tokenCacheSize();

        /** Longest a JupyterHub token check may take, connection included; past it the call answers 503. */
        @WithDefault("3s")
        Duration hubTimeout();

        /** JupyterHub token checks per second for tokens not yet verified (a flood of bad tokens reaches the hub at this rate at most; callers over it get 429). */
        @WithDefault("5")
        int tokenChecksPerSecond();

        /** Checks that may happen at once above that rate (the bucket's size). */
        @WithDefault("20")
        int tokenChecksBurst();

        /**
         * Who a verified Keycloak token speaks for, when the API accepts Keycloak tokens
         * ({@code quarkus.oidc.tenant-enabled=true}; the issuer and audience are quarkus-oidc's own keys).
         */
        KeycloakBearer keycloak();
    }

    /**
     * Which roles of a verified Keycloak token make the caller the hub or a user, and which claim
     * names the user ({@code hpcspawner.auth.keycloak.*}).
     */
    interface KeycloakBearer {
        /** The Keycloak role (realm or client role, as {@code quarkus.oidc.roles.role-claim-path} finds them) of the hub. */
        @WithDefault("hub")
        String hubRole();

        /** The Keycloak role of a user: that user's own servers only. */
        @WithDefault("user")
        String userRole();

        /** The claim naming the user whose servers a user's token reaches. */
        @WithDefault("preferred_username")
        String userNameClaim();
    }

    /**
     * The end-to-end health check: a server started for a check user through the hub, the service, the
     * scheduler and the proxy, reached, and stopped, on demand ({@code POST /api/v1/admin/health-check}).
     */
    interface HealthCheck {
        /** The hub's REST API, e.g. {@code http://hub:8081/hub/api}; with {@link #hubToken()} it turns the check on. */
        Optional<URI> hubApiUrl();

        /**
         * A JupyterHub API token allowed to start, read, reach and stop the check user's servers (scopes
         * {@code servers!user=<user>}, {@code read:servers!user=<user>}, {@code access:servers!user=<user>}):
         * the value, {@code file:<path>} or {@code vault:<kv path>#<field>} (docs/secrets.md).
         */
        Optional<String> hubToken();

        /** The JupyterHub user the check starts a server for (a real account on the cluster). */
        @WithDefault("hpcspawner-check")
        String user();

        /** The name of the check's server (a named server of the check user). */
        @WithDefault("healthcheck")
        String server();

        /** Where users reach the hub (the proxy), e.g. {@code https://jupyter.example.org}; the check reaches its server there. */
        Optional<URI> publicUrl();

        /** The options the check starts with (the hub passes them on as the user's form would). */
        Map<String, String> options();

        /** The longest the whole check may take; a start still queued then counts as failed (and is stopped). */
        @WithDefault("10m")
        Duration timeout();
    }

    /** Limits per user. */
    interface Limits {
        /** Active (not stopped or failed) servers a user may have at once; a create beyond it answers 409 server_limit. */
        @WithDefault("10")
        int serversPerUser();
    }

    /** The orphan sweep: this deployment's live jobs that no server record owns. */
    interface Orphans {
        /**
         * At most this many orphans are cancelled in one watcher round; more at once (an emptied or
         * wrong store) are held for an operator ({@code POST /api/v1/admin/orphans/release}). 0 holds all.
         */
        @WithDefault("3")
        int maxCancelsPerRound();
    }

    /** Durable storage of server records. */
    interface Store {
        /**
         * Which store keeps server records, users' sealed logins and the deployment identity:
         * {@code file} (files under {@code directory}, one replica) or {@code kubernetes} (custom
         * objects, Secrets and a ConfigMap in {@code namespace}, several replicas).
         */
        @WithDefault("file")
        Kind kind();

        /** Namespace of the Kubernetes store; the pod's own namespace when unset. */
        Optional<String> namespace();

        /**
         * At start, copy the other kind of store into this one while this one is empty: {@code file}
         * (from {@code directory} and {@code logins-directory} into the Kubernetes store) or
         * {@code kubernetes} (from {@code namespace} into the file store). A target that already
         * holds this deployment is left alone; one holding another deployment is refused.
         */
        Optional<Kind> importFrom();

        /** Directory of the embedded file store (created if missing). */
        @WithDefault("data/servers")
        Path directory();

        /** Directory of users' encrypted refresh tokens (FirecREST backends), created if missing. */
        @WithDefault("data/logins")
        Path loginsDirectory();

        /** How long a stopped or failed server's record is kept after its last change; older ones are deleted (hourly). */
        @WithDefault("7d")
        Duration retention();

        /** The kinds of store. */
        enum Kind { file, kubernetes }
    }

    /** Batch script settings shared by all systems. */
    interface Batch {
        /** A Qute template file for the batch script; the built-in template is used when unset. */
        Optional<Path> template();

        /** Lines after which a job's output is cut when shown to users in a failure message. */
        @WithDefault("20")
        int failureOutputLines();
    }

    /**
     * A submit that certainly created no job (the scheduler API could not be reached, it answered
     * 429, or 503 and a look-up by name found no job) is tried again until {@code retry-for} after
     * the create; each wait is shown in the start's progress. Then the start fails with
     * {@code scheduler_unavailable}.
     */
    interface Submit {
        /** How long after the create a start keeps trying to reach its cluster; {@code 0s} fails at once. */
        @WithDefault("2m")
        Duration retryFor();

        /** The first wait between two tries; it doubles up to 30 s, and a longer {@code Retry-After} wins. */
        @WithDefault("2s")
        Duration retryInterval();
    }

    /** How often the job watcher asks each system about its jobs. */
    interface Watch {
        /** Interval while any job of the system is submitting, queued or starting. */
        @WithDefault("2s")
        Duration fastInterval();

        /** Interval while every job of the system is running or idle. */
        @WithDefault("30s")
        Duration slowInterval();

        /** Random spread added to each interval, as a fraction of it (0 to 0.5). */
        @WithDefault("0.1")
        double jitter();

        /** How long a job may be missing from the scheduler's answer before its server counts as ended. */
        @WithDefault("60s")
        Duration goneGrace();

        /**
         * How long a start whose submit was cut off (the service died mid-submit) waits for its job
         * to show up in a listing before a look-up by name decides: adopt it, or fail the start.
         */
        @WithDefault("5m")
        Duration submitDeadline();

        /** At most this many missing jobs are looked up one by one in a round (the rest wait for the next). */
        @WithDefault("20")
        int maxLookUpsPerRound();

        /**
         * How long a start may wait in the queue and for the ready signal before it is given up and its job
         * cancelled, for profiles without their own {@code queue-timeout}.
         */
        @WithDefault("24h")
        Duration startTimeout();
    }

    /**
     * One leader among several replicas, elected with a Kubernetes Lease ({@code coordination.k8s.io/v1}):
     * only the leader runs the watcher's rounds and the record retention; every replica answers the API.
     */
    interface LeaderElection {
        /** Elect a leader through the Lease; false: this replica always leads (one replica, the file store). */
        @WithDefault("false")
        boolean enabled();

        /** The Lease's name. */
        @WithDefault("hpcspawner-leader")
        String leaseName();

        /** The Lease's namespace; unset: the pod's own. */
        Optional<String> leaseNamespace();

        /** This replica's name in the Lease; unset: the environment's POD_NAME, else HOSTNAME. */
        Optional<String> identity();

        /** How long the Lease must go unrenewed before another replica takes it: the fail-over's main cost. */
        @WithDefault("15s")
        Duration leaseDuration();

        /** How long the leader keeps leading without a successful renewal; shorter than lease-duration. */
        @WithDefault("10s")
        Duration renewDeadline();

        /** How often the leader renews, and a follower tries to take the Lease. */
        @WithDefault("2s")
        Duration retryPeriod();
    }

    /** Backends a system can use. */
    enum Backend {
        /** Slurm's own REST API; the service mints per-user Slurm JWTs. */
        slurmrestd,
        /** FirecREST v2 with Keycloak tokens (written {@code firecrest-v2}). */
        firecrestV2,
        /** FirecREST v1 (older sites: asynchronous tasks) with Keycloak tokens (written {@code firecrest-v1}). */
        firecrestV1;

        /** Whether submits and cancels act with the user's own identity-provider tokens. */
        public boolean usesUserLogins() {
            return this != slurmrestd;
        }
    }

    /** How a started job tells the service where its server listens. */
    enum ReadySignal {
        /** The job posts to {@code public-url}; the service also reads its output as a fallback. */
        callback,
        /** Compute nodes cannot reach the service: it reads the ready line from the job's output. */
        output
    }

    /** One cluster. */
    interface SystemConfig {
        /** The scheduler API this system speaks. */
        Backend backend();

        /** Base URL of the scheduler API, e.g. {@code http://slurmrestd:6820} or {@code https://api.cscs.ch/hpc/firecrest/v2}. */
        URI url();

        /** FirecREST: the system's name at FirecREST, when it differs from the key, e.g. {@code daint}. */
        Optional<String> firecrestSystem();

        /** slurmrestd: file with the Slurm JWT key ({@code AuthAltParameters=jwt_key=...}), used to mint per-user tokens. */
        Optional<Path> jwtKeyFile();

        /**
         * slurmrestd: the API version to speak, {@code v0.0.38} (Slurm 22.05), {@code v0.0.40},
         * {@code v0.0.41} or {@code v0.0.42} (Slurm 23.11 to 25.05); {@code auto} picks the highest
         * of these the server's {@code GET /openapi/v3} lists, on first use.
         */
        @WithDefault("auto")
        String apiVersion();

        /** Unix user whose identity lists all jobs (any user can list all jobs in Slurm). */
        @WithDefault("slurm")
        String serviceUser();

        /** Unix user a hub user's jobs run as; {@code {user}} is the hub user name. */
        @WithDefault("{user}")
        String unixUser();

        /** Working directory of the job; {@code {user}} is the Unix user. */
        @WithDefault("/home/{user}")
        String workingDirectory();

        /** Where the job's output goes; {@code {workdir}}, {@code {user}} and {@code {job}} (the job name) are replaced. */
        @WithDefault("{workdir}/.hpcspawner-{job}.log")
        String outputPath();

        /** Whether the service can read job output files directly (a shared file system); slurmrestd has no file API. */
        @WithDefault("true")
        boolean outputReadable();

        /** How the server's host name is built from the node name, e.g. {@code {node}.cluster.example}. */
        @WithDefault("{node}")
        String hostTemplate();

        /** Address the single-user server binds to on the node. */
        @WithDefault("0.0.0.0")
        String bindAddress();

        /** Ports the server may use on the node, as {@code low-high}. */
        @WithDefault("49152-65000")
        String portRange();

        /** The lowest port of {@link #portRange()}. */
        default int portLow() {
            return Integer.parseInt(portRange().split("-")[0]);
        }

        /** The highest port of {@link #portRange()}. */
        default int portHigh() {
            return Integer.parseInt(portRange().split("-")[1]);
        }

        /** How the ready signal travels. */
        @WithDefault("callback")
        ReadySignal readySignal();

        /** Environment every job of this system gets (the job inherits nothing); PATH defaults to /usr/local/bin:/usr/bin:/bin. */
        Map<String, String> environment();

        /** Shell lines run before the server starts (e.g. module loads); written by the site admin, never by users. */
        Optional<List<String>> prelude();

        /** The command that runs the single-user server. */
        @WithDefault("jupyterhub-singleuser")
        String singleuserCommand();

        /** Timeout of one scheduler call. */
        @WithDefault("10s")
        Duration requestTimeout();

        /** FirecREST v1: how long to wait for the task of one submit, listing or cancel. */
        @WithDefault("60s")
        Duration firecrestTaskTimeout();

        /** Retries, circuit breaker and submit bulkhead around every call (docs/resilience.md); FirecREST and slurmrestd. */
        Resilience resilience();
    }

    /** Fault handling around one FirecREST system's calls; see {@code ResiliencePolicy}. */
    interface Resilience {
        /** Retries of idempotent calls. */
        ResilienceRetry retry();

        /** The per-system circuit breaker. */
        ResilienceBreaker breaker();

        /** The submit bulkhead. */
        ResilienceSubmit submit();
    }

    /** {@code resilience.retry.*}. */
    interface ResilienceRetry {
        /** Attempts of one idempotent call, the first included. */
        @WithDefault("3")
        int maxAttempts();

        /** Wait before the first retry; doubles each retry. */
        @WithDefault("250ms")
        Duration initialBackoff();

        /** Longest wait between two attempts. */
        @WithDefault("4s")
        Duration maxBackoff();

        /** Random spread of each wait (fraction, 0-1). */
        @WithDefault("0.5")
        double jitter();

        /** Longest time one call may take, retries and waits included. */
        @WithDefault("15s")
        Duration maxDuration();

        /** Cap on the wait a 429 or 503 asks for. */
        @WithDefault("30s")
        Duration maxRetryAfter();

        /** After a submit whose answer was lost: wait this long before looking the job up by name. */
        @WithDefault("2s")
        Duration submitLookupDelay();
    }

    /** {@code resilience.breaker.*}. */
    interface ResilienceBreaker {
        /** Consecutive transient failures (attempts) that open the breaker. */
        @WithDefault("5")
        int failureThreshold();

        /** How long it stays open before one probe call is let through. */
        @WithDefault("30s")
        Duration openFor();
    }

    /** {@code resilience.submit.*}. */
    interface ResilienceSubmit {
        /** Submits in flight at once on this system. */
        @WithDefault("4")
        int concurrency();

        /** How long a further submit waits for a free slot before it fails. */
        @WithDefault("30s")
        Duration queueWait();
    }

    /** One choice in the options form. */
    interface ProfileConfig {
        /** Name shown to users. */
        Optional<String> displayName();

        /** One line shown under the name. */
        Optional<String> description();

        /** Key of the system (under hpcspawner.systems) this profile submits to. */
        String system();

        /** Slurm partition. */
        String partition();

        /** Slurm account to charge; when unset the user may name one, else the user's default account applies. */
        Optional<String> account();

        /** CPUs per task when the user does not choose. */
        @WithDefault("1")
        int cpus();

        /** Most CPUs a user may ask for (defaults to cpus). */
        Optional<Integer> maxCpus();

        /** Memory per node, Slurm syntax, e.g. {@code 8G}. */
        Optional<String> memory();

        /** Wall time in minutes when the user does not choose. */
        @WithDefault("60")
        int timeLimitMinutes();

        /** Longest wall time in minutes a user may ask for (defaults to time-limit-minutes). */
        Optional<Integer> maxTimeLimitMinutes();

        /** Extra {@code #SBATCH} options fixed by the site (e.g. {@code --constraint=gpu}); users cannot change them. */
        Optional<List<String>> sbatchOptions();

        /**
         * How long a start of this profile may wait in the queue and for its server's ready
         * signal before it is given up and its job cancelled (default: hpcspawner.watch.start-timeout).
         * The hub plugin sets the hub's start timeout from it.
         */
        Optional<Duration> queueTimeout();

        /** JupyterHub groups the profile is open to (others do not see it and cannot start it); unset: everyone. */
        Optional<List<String>> groups();

        /**
         * What the user may choose, by option name: partition, account, reservation, constraint,
         * qos, time, nodes, cpus, memory, gpus, environment (docs/configuration.md). cpus, time and
         * account are always offered (from cpus/max-cpus, time-limit-minutes/max-time-limit-minutes,
         * account); their entries here override those.
         */
        Map<String, OptionConfig> options();

        /** The software environments the environment option picks from, by key (a uenv and view, an image). */
        Map<String, EnvironmentConfig> environments();
    }

    /** How a profile offers one option. Numbers: time in minutes or H:MM:SS, memory in MiB or 8G, counts. */
    interface OptionConfig {
        /** The value when the user leaves the option empty, e.g. {@code 60} or {@code 8G}. */
        @WithName("default")
        Optional<String> defaultValue();

        /** The allowed values, in order; each {@code value} or {@code value=Label}, e.g. {@code course=Course week,maint}. */
        Optional<List<String>> choices();

        /** The smallest value a user may ask for (numbers only), e.g. {@code 1}, {@code 1G} or {@code 0:30:00}. */
        Optional<String> min();

        /** The largest value a user may ask for (numbers only; defaults to the default), e.g. {@code 4}, {@code 64G} or {@code 24:00:00}. */
        Optional<String> max();

        /** What the form calls the option. */
        Optional<String> label();

        /** One line of help under the field. */
        Optional<String> description();

        /** Offer what the cluster offers the user now (partition, account, reservation, qos), narrowed to choices when set. */
        @WithDefault("false")
        boolean fromCluster();

        /** The user may not change the default (it is shown). */
        @WithDefault("false")
        boolean fixed();
    }

    /** One software environment of a profile; its lines are the site's, never the user's. */
    interface EnvironmentConfig {
        /** What the user reads (defaults to the key). */
        Optional<String> label();

        /** One line under it. */
        Optional<String> description();

        /** {@code #SBATCH} options that select it, e.g. {@code --uenv=jupyterlab/5.2:/user-tools,--view=jupyter}. */
        Optional<List<String>> sbatchOptions();

        /** Shell lines run before the server starts (before the system's prelude), e.g. {@code export MY_ENV=1}. */
        Optional<List<String>> prelude();
    }
}
