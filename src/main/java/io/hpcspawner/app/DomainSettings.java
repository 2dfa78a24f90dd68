package io.hpcspawner.app;

import io.hpcspawner.config.InvalidConfigurationException;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.spawn.model.BatchTemplate;
import io.hpcspawner.spawn.model.OrphanRules;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.Profiles;
import io.hpcspawner.spawn.model.ReadySignal;
import io.hpcspawner.spawn.model.RetentionRules;
import io.hpcspawner.spawn.model.StartRules;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.spawn.model.UserRules;
import io.hpcspawner.spawn.model.WatchRules;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the site's configuration into the domain's plain settings values, once at start: the
 * domain reads these, never {@link SpawnerConfig}. Each method is a static producer, so it is also
 * what a test calls to get the values a configuration gives.
 */
@ApplicationScoped
public class DomainSettings {

    /** The profiles with every default filled in, their options resolved ({@link ProfileOptions}). */
    @Produces
    @Singleton
    public static Profiles profilesOf(SpawnerConfig config) {
        Map<String, Profile> byKey = new LinkedHashMap<>();
        config.profiles().forEach((key, p) -> byKey.put(key, new Profile(key, p.displayName().orElse(key),
                p.description().orElse(""), p.system(), p.partition(), p.account(), p.cpus(), p.maxCpus().orElse(p.cpus()),
                p.memory(), p.timeLimitMinutes(), p.maxTimeLimitMinutes().orElse(p.timeLimitMinutes()),
                p.sbatchOptions().orElse(List.of()), p.queueTimeout().orElse(config.watch().startTimeout()),
                ProfileOptions.of(p), ProfileOptions.environments(p), p.groups().orElse(List.of()))));
        return new Profiles(byKey);
    }

    /** Every configured system's domain settings. */
    @Produces
    @Singleton
    public static Systems systemsOf(SpawnerConfig config) {
        Map<String, SystemSettings> byName = new LinkedHashMap<>();
        config.systems().forEach((name, s) -> byName.put(name, new SystemSettings(name, s.backend().usesUserLogins(),
                s.serviceUser(), s.unixUser(), s.workingDirectory(), s.outputPath(), s.outputReadable(),
                s.hostTemplate(), s.bindAddress(), s.portLow(), s.portHigh(),
                s.readySignal() == SpawnerConfig.ReadySignal.output ? ReadySignal.OUTPUT : ReadySignal.CALLBACK,
                s.environment(), s.prelude().orElse(List.of()), s.singleuserCommand())));
        return new Systems(byName);
    }

    /** The rules of a start. */
    @Produces
    @Singleton
    public static StartRules starts(SpawnerConfig config) {
        return new StartRules(config.limits().serversPerUser(), config.jobEnvironment().denied(),
                config.jobEnvironment().allowed().orElse(List.of()), config.submit().retryFor(),
                config.submit().retryInterval(), config.publicUrl());
    }

    /** The watcher's rules. */
    @Produces
    @Singleton
    public static WatchRules watching(SpawnerConfig config) {
        SpawnerConfig.Watch w = config.watch();
        return new WatchRules(w.fastInterval(), w.slowInterval(), w.jitter(), w.goneGrace(), w.submitDeadline(),
                w.maxLookUpsPerRound(), w.startTimeout(), config.batch().failureOutputLines());
    }

    /** The site's batch script template. */
    @Produces
    @Singleton
    public static BatchTemplate batchTemplate(SpawnerConfig config) {
        return new BatchTemplate(config.batch().template());
    }

    /** The user rules: root, nobody, every system's service user and the service's own user are always denied. */
    @Produces
    @Singleton
    public static UserRules users(SpawnerConfig config) {
        SpawnerConfig.Users users = config.users();
        Set<String> denied = new LinkedHashSet<>(List.of("root", "nobody"));
        config.systems().values().forEach(s -> denied.add(s.serviceUser()));
        String self = System.getProperty("user.name");
        if (self != null && !self.isBlank()) {
            denied.add(self);
        }
        users.denied().ifPresent(denied::addAll);
        return new UserRules(users.minUid(), denied, users.allowed(), users.lowercase(), users.names());
    }

    /** The retention of ended records; a retention that is not positive stops the start. */
    @Produces
    @Singleton
    public static RetentionRules retention(SpawnerConfig config) {
        try {
            return new RetentionRules(config.store().retention());
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigurationException(List.of("hpcspawner.store.retention=" + config.store().retention()
                    + ": must be positive, e.g. 7d"));
        }
    }

    /** The orphan handling rules. */
    @Produces
    @Singleton
    public static OrphanRules orphans(SpawnerConfig config) {
        return new OrphanRules(config.orphans().maxCancelsPerRound(), config.jobNamePrefix());
    }
}
