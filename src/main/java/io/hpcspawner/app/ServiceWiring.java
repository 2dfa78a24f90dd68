package io.hpcspawner.app;

import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.config.InvalidConfigurationException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.credentials.LoginKeeper;
import io.hpcspawner.credentials.SlurmTokenMinter;
import io.hpcspawner.credentials.keycloak.KeycloakClient;
import io.hpcspawner.credentials.keycloak.MeteredTokenEndpoint;
import io.hpcspawner.credentials.keycloak.TokenEndpoint;
import io.hpcspawner.credentials.keycloak.ServiceAccountTokens;
import io.hpcspawner.credentials.keycloak.TokenKeyRing;
import io.hpcspawner.credentials.keycloak.TokenKeySource;
import io.hpcspawner.credentials.keycloak.TokenValidity;
import io.hpcspawner.credentials.keycloak.UserLogins;
import io.hpcspawner.credentials.secrets.SecretRef;
import io.hpcspawner.credentials.secrets.SecretResolver;
import io.hpcspawner.credentials.secrets.VaultKv;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.scheduler.firecrest.AccessTokens;
import io.hpcspawner.scheduler.firecrest.FirecrestV1Scheduler;
import io.hpcspawner.scheduler.firecrest.FirecrestV2Scheduler;
import io.hpcspawner.scheduler.firecrest.KeycloakAccessTokens;
import io.hpcspawner.scheduler.guard.GuardedScheduler;
import io.hpcspawner.scheduler.guard.SystemGuards;
import io.hpcspawner.scheduler.guard.ResiliencePolicy;
import io.hpcspawner.spawn.port.Sleeper;
import io.hpcspawner.scheduler.slurmrestd.OutputFiles;
import io.hpcspawner.scheduler.slurmrestd.SlurmrestdApiVersion;
import io.hpcspawner.scheduler.slurmrestd.SlurmrestdScheduler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.hpcspawner.store.DeploymentStore;
import io.hpcspawner.store.IdentitySlot;
import io.hpcspawner.store.StoreImport;
import io.hpcspawner.store.file.DeploymentIdentityFile;
import io.hpcspawner.store.file.FileSealedTokenStore;
import io.hpcspawner.store.file.FileServerStore;
import io.hpcspawner.store.file.StoreLock;
import io.hpcspawner.store.kubernetes.DeploymentIdentityConfigMap;
import io.hpcspawner.store.kubernetes.KubernetesSealedTokenStore;
import io.hpcspawner.store.kubernetes.KubernetesServerStore;
import jakarta.enterprise.inject.Disposes;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import io.hpcspawner.spawn.port.ServerStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vault.VaultKVSecretEngine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The composition root: the one place that picks implementations for the ports. */
@ApplicationScoped
public class ServiceWiring {

    /** How long the Kubernetes store may take to list its namespace at start-up. */
    private static final Duration STORE_LISTING_TIMEOUT = Duration.ofSeconds(60);

    private StoreLock storeLock;
    private DeploymentStore store;

    /**
     * Takes the file store's lock at start-up, before the first watcher round or request: a second
     * instance on the same store stops here, naming the holder. The Kubernetes store needs no lock:
     * every write there is conditional on the version it read.
     */
    void lockStore(@Observes @Priority(1) StartupEvent event, SpawnerConfig config, ConfigChecks checks) {
        checks.verify();
        if (config.store().kind() == SpawnerConfig.Store.Kind.file) {
            lockStore(config);
        }
    }

    private synchronized void lockStore(SpawnerConfig config) {
        if (storeLock == null) {
            storeLock = StoreLock.acquire(config.store().directory()); // one live instance per store
        }
    }

    /** Releases the store for the next instance (a kill -9 releases it too: the lock is the OS's). */
    synchronized void releaseStore(@Observes ShutdownEvent event) {
        if (storeLock != null) {
            storeLock.close();
            storeLock = null;
        }
    }

    /**
     * The configured store's three parts (records, logins, identity), made once; an import
     * ({@code hpcspawner.store.import-from}) runs before anything reads them.
     */
    private synchronized DeploymentStore store(SpawnerConfig config, Instance<KubernetesClient> kubernetes) {
        if (store == null) {
            SpawnerConfig.Store.Kind kind = config.store().kind();
            if (kind == SpawnerConfig.Store.Kind.file) {
                lockStore(config);
            }
            DeploymentStore target = open(kind, config, kubernetes);
            config.store().importFrom().ifPresent(from -> {
                // a file store being imported is locked like one in use: a service still running on it stops the import
                StoreLock sourceLock = from == SpawnerConfig.Store.Kind.file ? StoreLock.acquire(config.store().directory())
                        : null;
                DeploymentStore source = open(from, config, kubernetes);
                try {
                    StoreImport.run(source, target);
                } finally {
                    if (source.records() instanceof AutoCloseable c) {
                        closeQuietly(c);
                    }
                    if (sourceLock != null) {
                        sourceLock.close();
                    }
                }
            });
            store = target;
        }
        return store;
    }

    private static DeploymentStore open(SpawnerConfig.Store.Kind kind, SpawnerConfig config,
            Instance<KubernetesClient> kubernetes) {
        SpawnerConfig.Store s = config.store();
        return switch (kind) {
            case file -> new DeploymentStore("the file store in " + s.directory(), new FileServerStore(s.directory()),
                    new FileSealedTokenStore(s.loginsDirectory()), new DeploymentIdentityFile(s.directory()));
            case kubernetes -> {
                KubernetesClient client = kubernetes.get();
                String namespace = s.namespace().or(() -> Optional.ofNullable(client.getNamespace()))
                        .orElseThrow(() -> new InvalidConfigurationException(List.of("hpcspawner.store.namespace:"
                                + " required when the service runs outside a pod (no service account namespace), e.g. jhub")));
                yield new DeploymentStore("the Kubernetes store in namespace " + namespace,
                        new KubernetesServerStore(client, namespace, STORE_LISTING_TIMEOUT),
                        new KubernetesSealedTokenStore(client, namespace), new DeploymentIdentityConfigMap(client, namespace));
            }
        };
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // only an informer to stop
        }
    }

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }

    /** How waits between tries are spent (tests replace it). */
    @Produces
    @Singleton
    Sleeper sleeper() {
        return Sleeper.REAL;
    }

    @Produces
    @Singleton
    ServerStore serverStore(SpawnerConfig config, ConfigChecks checks, MeterRegistry meters,
            Instance<KubernetesClient> kubernetes) {
        checks.verify();
        ServerStore records = store(config, kubernetes).records();
        if (records instanceof FileServerStore files) {
            io.micrometer.core.instrument.Gauge.builder("hpcspawner.store.unreadable.records", files, FileServerStore::setAside)
                    .description("Record files set aside at start-up because they could not be read").register(meters);
        }
        return records;
    }

    /** Stops the Kubernetes store's informer at shutdown. */
    void closeServerStore(@Disposes ServerStore records) {
        if (records instanceof AutoCloseable c) {
            closeQuietly(c);
        }
    }

    /** This deployment's job names: its identity is created once and kept with the store. */
    @Produces
    @Singleton
    io.hpcspawner.spawn.rules.JobNames jobNames(SpawnerConfig config, ServerStore records, Clock clock,
            Instance<KubernetesClient> kubernetes) {
        Optional<java.time.Instant> oldest = records.all().stream().map(io.hpcspawner.spawn.model.ServerRecord::createdAt)
                .min(java.util.Comparator.naturalOrder());
        String otherStore = config.store().kind() == SpawnerConfig.Store.Kind.file ? "hpcspawner.store.directory"
                : "hpcspawner.store.namespace";
        return new io.hpcspawner.spawn.rules.JobNames(config.jobNamePrefix(), IdentitySlot.loadOrCreate(
                store(config, kubernetes).identity(), config.deploymentId(), oldest, clock.instant(), otherStore));
    }

    /** Secrets written as values, {@code file:} or {@code vault:} references (Vault only when quarkus.vault.url is set). */
    @Produces
    @Singleton
    SecretResolver secrets(SpawnerConfig config, @ConfigProperty(name = "quarkus.vault.url") Optional<String> vaultUrl,
            Instance<VaultKVSecretEngine> kv, Clock clock) {
        Optional<VaultKv> vault = vaultUrl.filter(u -> !u.isBlank()).map(u -> path -> kv.get().readSecret(path));
        return new SecretResolver(vault, config.keycloak().map(SpawnerConfig.Keycloak::secretRefreshOrDefault)
                .orElse(Duration.ofSeconds(60)), clock);
    }

    /** Users' Keycloak logins, when a Keycloak realm is configured. */
    @Produces
    @Singleton
    Optional<UserLogins> userLogins(SpawnerConfig config, ConfigChecks checks, SecretResolver secrets, OidcClients oidc,
            Clock clock, MeterRegistry meters, Instance<KubernetesClient> kubernetes) {
        checks.verify();
        Optional<UserLogins> logins = config.keycloak().map(kc -> new UserLogins(
                keycloakClient(kc, "user-client", kc.userClient(), secrets, oidc, meters),
                tokenKeys(kc, secrets),
                store(config, kubernetes).logins(), tokenValidity(kc), clock));
        logins.ifPresent(UserLogins::resealStored); // after a key rotation: every login onto the newest key
        return logins;
    }

    /** How much life a token must have left when it is sent: the realm's settings or FirecREST's minimum and the default margin. */
    private static TokenValidity tokenValidity(SpawnerConfig.Keycloak kc) {
        return new TokenValidity(kc.minTokenValidity().orElse(TokenValidity.FIRECREST_MINIMUM),
                kc.tokenMargin().orElse(TokenValidity.DEFAULT_MARGIN));
    }

    /** The key that seals new logins and the previous ones that still open older logins, each re-read like any secret. */
    private static TokenKeyRing tokenKeys(SpawnerConfig.Keycloak kc, SecretResolver secrets) {
        String newest = "hpcspawner.keycloak.token-encryption-key";
        List<String> previous = kc.previousTokenEncryptionKeys().orElse(List.of());
        List<TokenKeySource> older = new ArrayList<>();
        for (int i = 0; i < previous.size(); i++) {
            String name = "hpcspawner.keycloak.previous-token-encryption-keys[" + i + "]";
            older.add(new TokenKeySource(name, secrets.resolve(SecretRef.parse(name, previous.get(i)))));
        }
        return new TokenKeyRing(new TokenKeySource(newest, secrets.resolve(SecretRef.parse(newest, kc.tokenEncryptionKey()))), older);
    }

    /** Where the API hands the logins the hub passes on; keeps nothing without Keycloak. */
    @Produces
    @Singleton
    LoginKeeper loginKeeper(Optional<UserLogins> logins) {
        return logins.<LoginKeeper>map(l -> l).orElse(LoginKeeper.NONE);
    }

    @Produces
    @Singleton
    SchedulerRegistry schedulers(SpawnerConfig config, ConfigChecks checks, ObjectMapper json,
            Optional<UserLogins> logins, SecretResolver secrets, OidcClients oidc, Clock clock, MeterRegistry meters) {
        checks.verify();
        Optional<AccessTokens> firecrestTokens = config.keycloak().map(kc -> new KeycloakAccessTokens(logins.orElseThrow(),
                new ServiceAccountTokens(keycloakClient(kc, "service-client", kc.serviceClient(), secrets, oidc, meters), tokenValidity(kc), clock)));
        Map<String, Scheduler> bySystem = new LinkedHashMap<>();
        config.systems().forEach((name, system) -> bySystem.put(name, switch (system.backend()) {
            case slurmrestd -> new GuardedScheduler(new SlurmrestdScheduler(system.url(),
                    SlurmTokenMinter.fromKeyFile(system.jwtKeyFile().orElseThrow()), system.serviceUser(),
                    system.requestTimeout(), new OutputFiles(system.outputReadable()), json,
                    SlurmrestdApiVersion.of(system.apiVersion())),
                    new SystemGuards(name, "slurmrestd", policy(name, system.resilience()), meters));
            case firecrestV2 -> new GuardedScheduler(new FirecrestV2Scheduler(system.url(),
                    system.firecrestSystem().orElse(name), firecrestTokens.orElseThrow(), system.requestTimeout(), json,
                    clock), new SystemGuards(name, "FirecREST", policy(name, system.resilience()), meters));
            case firecrestV1 -> new GuardedScheduler(new FirecrestV1Scheduler(system.url(),
                    system.firecrestSystem().orElse(name), firecrestTokens.orElseThrow(), system.requestTimeout(),
                    system.firecrestTaskTimeout(), json), new SystemGuards(name, "FirecREST",
                    policy(name, system.resilience()), meters));
        }));
        return new SchedulerRegistry(bySystem);
    }

    private static ResiliencePolicy policy(String system, SpawnerConfig.Resilience r) {
        SpawnerConfig.ResilienceRetry retry = r.retry();
        try {
            return new ResiliencePolicy(
                new ResiliencePolicy.Retry(retry.maxAttempts(), retry.initialBackoff(), retry.maxBackoff(), retry.jitter(),
                        retry.maxDuration(), retry.maxRetryAfter(), retry.submitLookupDelay()),
                new ResiliencePolicy.Breaker(r.breaker().failureThreshold(), r.breaker().openFor()),
                new ResiliencePolicy.Submits(r.submit().concurrency(), r.submit().queueWait()));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(List.of("hpcspawner.systems." + system + ".resilience." + e.getMessage()));
        }
    }

    /**
     * A named OIDC client for one of the realm's clients, its secret from the secret sources (re-read on rotation),
     * its grants counted under {@code client="user"} or {@code "service"}.
     */
    private static TokenEndpoint keycloakClient(SpawnerConfig.Keycloak kc, String which,
            SpawnerConfig.KeycloakClientConfig client, SecretResolver secrets, OidcClients oidc, MeterRegistry meters) {
        SecretRef ref = SecretRef.parse("hpcspawner.keycloak." + which + ".secret", client.secret());
        return new MeteredTokenEndpoint(new KeycloakClient(oidc, kc.issuer(), client.id(), secrets.resolve(ref),
                kc.requestTimeoutOrDefault()), which.substring(0, which.indexOf('-')), meters);
    }
}
