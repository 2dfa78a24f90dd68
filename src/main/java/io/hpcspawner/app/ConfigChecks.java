package io.hpcspawner.app;

import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.config.InvalidConfigurationException;
import io.hpcspawner.config.SettingChecks;
import io.hpcspawner.credentials.keycloak.TokenCipher;
import io.hpcspawner.credentials.secrets.SecretRef;
import io.hpcspawner.scheduler.slurmrestd.SbatchOptionFields;
import io.hpcspawner.scheduler.slurmrestd.SlurmrestdApiVersion;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Checks the settings, each on its own ({@link SettingChecks}) and across keys (a profile's system
 * exists, limits are consistent, files are there), and stops start-up with one line per problem:
 * the key, what is wrong, a valid example.
 */
@Startup
@ApplicationScoped
public class ConfigChecks {

    private final SpawnerConfig config;
    private final boolean vaultConfigured;
    private volatile boolean verified;

    @Inject
    public ConfigChecks(SpawnerConfig config, @ConfigProperty(name = "quarkus.vault.url") Optional<String> vaultUrl) {
        this.config = config;
        this.vaultConfigured = vaultUrl.filter(u -> !u.isBlank()).isPresent();
    }

    /** Checks for a service without Vault. */
    public ConfigChecks(SpawnerConfig config) {
        this(config, Optional.empty());
    }

    @jakarta.annotation.PostConstruct
    void onStart() {
        verify();
    }

    /** Throws {@link InvalidConfigurationException} listing every problem found. */
    public void verify() {
        if (verified) {
            return;
        }
        List<String> problems = problems();
        if (!problems.isEmpty()) {
            throw new InvalidConfigurationException(problems);
        }
        verified = true;
    }

    /** The store's kind, its namespace and an import between kinds must fit together. */
    private void storeProblems(List<String> problems) {
        SpawnerConfig.Store store = config.store();
        boolean kubernetes = store.kind() == SpawnerConfig.Store.Kind.kubernetes
                || store.importFrom().filter(k -> k == SpawnerConfig.Store.Kind.kubernetes).isPresent();
        store.importFrom().filter(k -> k == store.kind()).ifPresent(k -> problems.add("hpcspawner.store.import-from: "
                + k + " is this store's own kind (hpcspawner.store.kind=" + store.kind() + "); name the other kind,"
                + " e.g. import-from=file with kind=kubernetes"));
        store.namespace().ifPresent(ns -> {
            if (!kubernetes) {
                problems.add("hpcspawner.store.namespace: only the Kubernetes store uses it; set"
                        + " hpcspawner.store.kind=kubernetes (or import-from=kubernetes), or remove it");
            } else if (!ns.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
                problems.add("hpcspawner.store.namespace: " + ns + " is not a Kubernetes namespace name"
                        + " (lowercase letters, digits and '-'), e.g. jhub");
            }
        });
    }

    /** Every problem: those of single settings ({@link SettingChecks}) first, then those across keys. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>(SettingChecks.problems(config));
        config.deploymentId().filter(id -> !id.matches("[a-z0-9]{6}")).ifPresent(id -> problems.add(
                "hpcspawner.deployment-id: must be 6 lowercase letters or digits, e.g. prod01"));
        storeProblems(problems);
        for (Map.Entry<String, SpawnerConfig.SystemConfig> e : config.systems().entrySet()) {
            String k = "hpcspawner.systems." + e.getKey();
            SpawnerConfig.SystemConfig s = e.getValue();
            if (!e.getKey().matches("[a-z][a-z0-9-]{0,31}")) {
                problems.add(k + ": system names must be 1-32 lowercase letters, digits or '-', e.g. daint");
            }
            if (s.backend() == SpawnerConfig.Backend.slurmrestd) {
                if (s.jwtKeyFile().isEmpty()) {
                    problems.add(k + ".jwt-key-file: required for backend slurmrestd, e.g. /etc/slurm/jwt_hs256.key");
                } else if (!Files.isReadable(s.jwtKeyFile().get())) {
                    problems.add(k + ".jwt-key-file: " + s.jwtKeyFile().get() + " is not a readable file");
                }
                if (!"auto".equals(s.apiVersion()) && SlurmrestdApiVersion.of(s.apiVersion()).isEmpty()) {
                    problems.add(k + ".api-version: " + s.apiVersion() + " is not auto or one of "
                            + String.join(", ", SlurmrestdApiVersion.wireNames()) + ", e.g. auto");
                }
            }
            if (s.backend().usesUserLogins() && config.keycloak().isEmpty()) {
                problems.add("hpcspawner.keycloak.issuer: required for " + k + ".backend=" + s.backend()
                        + ", e.g. https://auth.example.org/realms/hpc (also user-client, service-client and"
                        + " token-encryption-key)");
            }
            String scheme = s.url().getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                problems.add(k + ".url: must be an http or https URL, e.g. http://slurmrestd:6820");
            }
            if (SettingChecks.isPortRange(s.portRange()) && (s.portLow() < 1024 || s.portHigh() > 65535 || s.portLow() > s.portHigh())) {
                problems.add(k + ".port-range: " + s.portRange() + " must be low-high within 1024-65535, e.g. 49152-65000");
            }
            if (s.backend() == SpawnerConfig.Backend.slurmrestd && s.outputReadable() && !underWorkdir(s.outputPath())) {
                problems.add(k + ".output-path: " + s.outputPath() + " must lie under the job's working directory (the "
                        + "service reads it only as the job user's own file there), e.g. {workdir}/.hpcspawner-{job}.log");
            }
            if (s.readySignal() == SpawnerConfig.ReadySignal.output && !s.outputReadable()) {
                problems.add(k + ".ready-signal: output needs output-readable=true (slurmrestd has no file API); "
                        + "use ready-signal=callback with hpcspawner.public-url");
            }
            if (s.readySignal() == SpawnerConfig.ReadySignal.callback && config.publicUrl().isEmpty()) {
                problems.add("hpcspawner.public-url: required when " + k + ".ready-signal=callback, "
                        + "e.g. http://spawner.example:8090");
            }
        }
        for (Map.Entry<String, SpawnerConfig.ProfileConfig> e : config.profiles().entrySet()) {
            String k = "hpcspawner.profiles." + e.getKey();
            SpawnerConfig.ProfileConfig p = e.getValue();
            if (!e.getKey().matches("[a-z0-9][a-z0-9_-]{0,31}")) {
                problems.add(k + ": profile names must be 1-32 lowercase letters, digits, '_' or '-', e.g. small");
            }
            if (!config.systems().containsKey(p.system())) {
                problems.add(k + ".system: no system named \"" + p.system() + "\"; configured systems: "
                        + String.join(", ", config.systems().keySet()));
            }
            if (p.maxCpus().isPresent() && p.maxCpus().get() < p.cpus()) {
                problems.add(k + ".max-cpus: " + p.maxCpus().get() + " is below cpus=" + p.cpus());
            }
            if (p.maxTimeLimitMinutes().isPresent() && p.maxTimeLimitMinutes().get() < p.timeLimitMinutes()) {
                problems.add(k + ".max-time-limit-minutes: " + p.maxTimeLimitMinutes().get()
                        + " is below time-limit-minutes=" + p.timeLimitMinutes());
            }
            java.time.Duration queueTimeout = p.queueTimeout().orElse(java.time.Duration.ofSeconds(1));
            if (queueTimeout.isZero() || queueTimeout.isNegative()) {
                problems.add(k + ".queue-timeout: " + queueTimeout + " must be positive, e.g. 2h");
            }
            sbatchOptions(k + ".sbatch-options", p.sbatchOptions().orElse(List.of()), p.system(), problems);
            p.environments().forEach((env, environment) -> sbatchOptions(k + ".environments." + env + ".sbatch-options",
                    environment.sbatchOptions().orElse(List.of()), p.system(), problems));
            ProfileOptionChecks.check(k, p, problems);
        }
        config.keycloak().ifPresent(kc -> {
            if (!"http".equals(kc.issuer().getScheme()) && !"https".equals(kc.issuer().getScheme())) {
                problems.add("hpcspawner.keycloak.issuer: must be an http or https URL, e.g. https://auth.example.org/realms/hpc");
            }
            kc.renewMargin().ifPresent(m -> problems.add("hpcspawner.keycloak.renew-margin: replaced; a token is now renewed"
                    + " when it has min-token-validity (default 30s, FirecREST's minimum) + token-margin (default 15s)"
                    + " or less left: remove renew-margin and set hpcspawner.keycloak.token-margin instead"));
            kc.minTokenValidity().filter(d -> d.isNegative()).ifPresent(d -> problems.add(
                    "hpcspawner.keycloak.min-token-validity: must not be negative, e.g. 30s"));
            kc.tokenMargin().filter(d -> d.isNegative()).ifPresent(d -> problems.add(
                    "hpcspawner.keycloak.token-margin: must not be negative, e.g. 15s"));
            secret(problems, "hpcspawner.keycloak.user-client.secret", kc.userClient().secret());
            secret(problems, "hpcspawner.keycloak.service-client.secret", kc.serviceClient().secret());
            tokenKey(problems, "hpcspawner.keycloak.token-encryption-key", kc.tokenEncryptionKey());
            List<String> previous = kc.previousTokenEncryptionKeys().orElse(List.of());
            for (int i = 0; i < previous.size(); i++) {
                tokenKey(problems, "hpcspawner.keycloak.previous-token-encryption-keys[" + i + "]", previous.get(i));
            }
        });
        SpawnerConfig.KeycloakBearer bearer = config.auth().keycloak();
        if (bearer.hubRole().equals(bearer.userRole())) {
            problems.add("hpcspawner.auth.keycloak.user-role: " + bearer.userRole() + " is also the hub-role, so every"
                    + " user's Keycloak token would reach every server: give users their own role, e.g. user");
        }
        SpawnerConfig.HealthCheck check = config.healthCheck();
        if (check.hubApiUrl().isPresent() != check.hubToken().isPresent()) {
            problems.add("hpcspawner.health-check: hub-api-url and hub-token go together (the check is on with both,"
                    + " off with neither), e.g. hub-api-url=http://hub:8081/hub/api and hub-token=file:/run/secrets/check-token");
        }
        check.hubApiUrl().filter(u -> !"http".equals(u.getScheme()) && !"https".equals(u.getScheme())).ifPresent(u ->
                problems.add("hpcspawner.health-check.hub-api-url: must be an http or https URL, e.g. http://hub:8081/hub/api"));
        check.publicUrl().filter(u -> !"http".equals(u.getScheme()) && !"https".equals(u.getScheme())).ifPresent(u ->
                problems.add("hpcspawner.health-check.public-url: must be an http or https URL, e.g. https://jupyter.example.org"));
        check.hubToken().ifPresent(t -> secret(problems, "hpcspawner.health-check.hub-token", t));
        if (check.timeout().isNegative() || check.timeout().isZero()) {
            problems.add("hpcspawner.health-check.timeout: must be longer than zero, e.g. 10m");
        }
        if (config.submit().retryFor().isNegative()) {
            problems.add("hpcspawner.submit.retry-for: must not be negative, e.g. 2m (0s fails a start at once)");
        }
        if (config.submit().retryInterval().isNegative() || config.submit().retryInterval().isZero()) {
            problems.add("hpcspawner.submit.retry-interval: must be longer than zero, e.g. 2s");
        }
        config.batch().template().filter(t -> !Files.isReadable(t)).ifPresent(t ->
                problems.add("hpcspawner.batch.template: " + t + " is not a readable file"));
        config.batch().template().filter(Files::isReadable).filter(t -> !rendersTheJobEnvironment(t)).ifPresent(t ->
                problems.add("hpcspawner.batch.template: " + t + " must render the job's environment and the ready"
                        + " signal's values: {#for line in environment}{line}{/for} and {serverId}, {startSecret},"
                        + " {callbackUrl} (they travel in the script body; see the built-in template in docs/lifecycle.md)"));
        return problems;
    }

    /** Site-written {@code #SBATCH} options: plain --name=value, and sendable by a slurmrestd system. */
    private void sbatchOptions(String key, List<String> options, String systemName, List<String> problems) {
        SpawnerConfig.SystemConfig system = config.systems().get(systemName);
        for (String opt : options) {
            if (!opt.matches("--[a-z][a-z-]*(=[A-Za-z0-9_.,:=/@+-]+)?")) {
                problems.add(key + ": \"" + opt + "\" must look like --name=value with no spaces or "
                        + "shell characters, e.g. --constraint=gpu");
            } else if (system != null && system.backend() == SpawnerConfig.Backend.slurmrestd) {
                // slurmrestd ignores #SBATCH lines: each option must travel as a job field.
                SbatchOptionFields.refusal(opt).ifPresent(why -> problems.add(key + ": " + why
                        + " (system " + systemName + " uses backend slurmrestd)"));
            }
        }
    }

    /** A token-sealing key: a valid reference, and 32 bytes of base64 when written as a value. */
    private void tokenKey(List<String> problems, String keyName, String text) {
        if (secret(problems, keyName, text) instanceof SecretRef.Literal key) {
            try {
                TokenCipher.fromBase64(key.value());
            } catch (IllegalArgumentException e) {
                problems.add(keyName + ": " + e.getMessage());
            }
        }
    }

    /** {@code {workdir}/} followed by a relative path without {@code .} or {@code ..} segments. */
    private static boolean underWorkdir(String outputPath) {
        String prefix = "{workdir}/";
        if (!outputPath.startsWith(prefix) || outputPath.length() == prefix.length()) {
            return false;
        }
        return java.util.Arrays.stream(outputPath.substring(prefix.length()).split("/", -1))
                .noneMatch(segment -> segment.isEmpty() || segment.equals(".") || segment.equals(".."));
    }

    /** Checks one secret reference (docs/secrets.md); returns it, or null when it is unusable. */
    private SecretRef secret(List<String> problems, String key, String text) {
        try {
            SecretRef ref = SecretRef.parse(key, text);
            if (ref instanceof SecretRef.Vault && !vaultConfigured) {
                problems.add(key + ": " + ref + " needs Vault: set quarkus.vault.url and its authentication"
                        + " (quarkus.vault.authentication.app-role.* or .kubernetes.role), see docs/secrets.md");
            }
            return ref;
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    private static boolean rendersTheJobEnvironment(java.nio.file.Path template) {
        try {
            String text = Files.readString(template);
            return text.contains("in environment}") && text.contains("{startSecret}") && text.contains("{serverId}");
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
