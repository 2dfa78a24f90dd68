package io.hpcspawner.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks of single settings (a range, a pattern, a length), one line per problem: the key and
 * what a valid value looks like, never the value itself (it may be a secret). Plain code rather than
 * Bean Validation annotations on {@link SpawnerConfig}: Hibernate Validator's metadata of the
 * mapping cost about a second of CPU at every start (issue 15). Checks that span several keys are
 * {@code app.ConfigChecks}'s, which runs these first.
 */
public final class SettingChecks {

    private static final String P = "hpcspawner.";
    private static final Pattern JOB_NAME_PREFIX = Pattern.compile("[a-z][a-z0-9]{0,15}");
    private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,255}");
    private static final Pattern CUSTOM_SCOPE = Pattern.compile("custom:[a-z0-9]([a-z0-9_:*-]*[a-z0-9_*])?");
    private static final Pattern TRIMMED = Pattern.compile("\\S(.*\\S)?");
    private static final Pattern NO_SPACE = Pattern.compile("\\S+");
    private static final Pattern HUB_USER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern SERVER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern PORT_RANGE = Pattern.compile("\\d{1,5}-\\d{1,5}");
    private static final Pattern SLURM_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern MEMORY = Pattern.compile("\\d{1,7}[KMGT]?");
    /** The longest prelude line of an environment. */
    public static final int MAX_PRELUDE_LINE = 4096;

    private final List<String> problems = new ArrayList<>();

    private SettingChecks() {
    }

    /** Every single-setting problem of {@code config}, in the order of its keys; empty when there is none. */
    public static List<String> problems(SpawnerConfig config) {
        SettingChecks c = new SettingChecks();
        c.check(config);
        return List.copyOf(c.problems);
    }

    /** True when {@code range} is {@code low-high} digits, so {@link SpawnerConfig.SystemConfig#portLow()} can parse it. */
    public static boolean isPortRange(String range) {
        return PORT_RANGE.matcher(range).matches();
    }

    private void check(SpawnerConfig config) {
        SpawnerConfig.Auth auth = config.auth();
        if (auth.hubToken().length() < 32) {
            problems.add(P + "auth.hub-token: must be at least 32 characters; generate one with: openssl rand -hex 32");
        }
        matches("auth.required-scope", auth.requiredScope(), CUSTOM_SCOPE, "must be a JupyterHub custom scope: custom:"
                + " then lowercase letters, digits, -_:*, e.g. custom:hpcspawner:servers");
        atLeast("auth.token-cache-size", auth.tokenCacheSize(), 1, "must be at least 1, e.g. 10000");
        atLeast("auth.token-checks-per-second", auth.tokenChecksPerSecond(), 1, "must be at least 1, e.g. 5");
        atLeast("auth.token-checks-burst", auth.tokenChecksBurst(), 1, "must be at least 1, e.g. 20");
        matches("auth.keycloak.hub-role", auth.keycloak().hubRole(), TRIMMED,
                "must name a Keycloak role, without spaces around it, e.g. hub");
        matches("auth.keycloak.user-role", auth.keycloak().userRole(), TRIMMED,
                "must name a Keycloak role, without spaces around it, e.g. user");
        matches("auth.keycloak.user-name-claim", auth.keycloak().userNameClaim(), NO_SPACE,
                "must name a claim of the token, without spaces, e.g. preferred_username");
        matches("health-check.user", config.healthCheck().user(), HUB_USER,
                "must be a JupyterHub user name, e.g. hpcspawner-check");
        matches("health-check.server", config.healthCheck().server(), SERVER_NAME,
                "must be a server name: lowercase letters, digits, - and _, e.g. healthcheck");
        atLeast("limits.servers-per-user", config.limits().serversPerUser(), 1, "must be at least 1, e.g. 10");
        matches("job-name-prefix", config.jobNamePrefix(), JOB_NAME_PREFIX,
                "must be 1-16 lowercase letters or digits, starting with a letter, e.g. hpcsp");
        atLeast("orphans.max-cancels-per-round", config.orphans().maxCancelsPerRound(), 0, "must be 0 or more, e.g. 3");
        if (config.systems().isEmpty()) {
            problems.add(P + "systems: needs at least one system, e.g. hpcspawner.systems.daint.backend=slurmrestd");
        }
        if (config.profiles().isEmpty()) {
            problems.add(P + "profiles: needs at least one profile, e.g. hpcspawner.profiles.small.system=daint");
        }
        int lines = config.batch().failureOutputLines();
        if (lines < 1 || lines > 500) {
            problems.add(P + "batch.failure-output-lines: must be from 1 to 500, e.g. 20");
        }
        double jitter = config.watch().jitter();
        if (!(jitter >= 0.0 && jitter <= 0.5)) {
            problems.add(P + "watch.jitter: must be from 0.0 to 0.5, e.g. 0.1");
        }
        atLeast("watch.max-look-ups-per-round", config.watch().maxLookUpsPerRound(), 1, "must be at least 1, e.g. 20");
        atLeast("users.min-uid", config.users().minUid(), 1, "must be at least 1, e.g. 1000 (uid 0 is root)");
        config.keycloak().ifPresent(k -> {
            matches("keycloak.user-client.id", k.userClient().id(), CLIENT_ID, "must be a Keycloak client id, e.g. jupyterhub");
            matches("keycloak.service-client.id", k.serviceClient().id(), CLIENT_ID,
                    "must be a Keycloak client id, e.g. hpcspawner-service");
        });
        config.systems().forEach((name, s) -> matches("systems." + name + ".port-range", s.portRange(), PORT_RANGE,
                "must be two port numbers as low-high, e.g. 49152-65000"));
        config.profiles().forEach(this::checkProfile);
    }

    private void checkProfile(String name, SpawnerConfig.ProfileConfig p) {
        String k = "profiles." + name + ".";
        matches(k + "partition", p.partition(), SLURM_NAME, "must be a Slurm partition name, e.g. normal");
        p.account().ifPresent(a -> matches(k + "account", a, SLURM_NAME, "must be a Slurm account name, e.g. csstaff"));
        atLeast(k + "cpus", p.cpus(), 1, "must be at least 1, e.g. 4");
        p.maxCpus().ifPresent(n -> atLeast(k + "max-cpus", n, 1, "must be at least 1, e.g. 16"));
        p.memory().ifPresent(m -> matches(k + "memory", m, MEMORY, "must be a Slurm memory size, e.g. 8G"));
        atLeast(k + "time-limit-minutes", p.timeLimitMinutes(), 1, "must be at least 1 minute, e.g. 60");
        p.maxTimeLimitMinutes().ifPresent(n -> atLeast(k + "max-time-limit-minutes", n, 1,
                "must be at least 1 minute, e.g. 720"));
        for (Map.Entry<String, SpawnerConfig.EnvironmentConfig> e : p.environments().entrySet()) {
            List<String> prelude = e.getValue().prelude().orElse(List.of());
            for (int i = 0; i < prelude.size(); i++) {
                if (prelude.get(i).length() > MAX_PRELUDE_LINE) {
                    problems.add(P + k + "environments." + e.getKey() + ".prelude[" + i + "]: must be one shell line of"
                            + " at most " + MAX_PRELUDE_LINE + " characters, e.g. export MY_ENV=1");
                }
            }
        }
    }

    private void matches(String key, String value, Pattern pattern, String rule) {
        if (!pattern.matcher(Optional.ofNullable(value).orElse("")).matches()) {
            problems.add(P + key + ": " + rule);
        }
    }

    private void atLeast(String key, long value, long min, String rule) {
        if (value < min) {
            problems.add(P + key + ": " + rule);
        }
    }
}
