package io.hpcspawner.support;

import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.spawn.service.BatchScriptRenderer;
import io.hpcspawner.spawn.service.ProfileCatalog;
import io.hpcspawner.spawn.model.BatchTemplate;
import io.quarkus.qute.Engine;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.Map;

/** Builds a {@link SpawnerConfig} from plain properties, without starting the application. */
public final class TestConfigs {

    private TestConfigs() {
    }

    public static Map<String, String> minimal() {
        Map<String, String> p = new HashMap<>();
        p.put("hpcspawner.public-url", "http://127.0.0.1:8090");
        p.put("hpcspawner.auth.hub-token", "test-hub-token-0123456789abcdef0123456789");
        p.put("hpcspawner.systems.testsys.backend", "slurmrestd");
        p.put("hpcspawner.systems.testsys.url", "http://127.0.0.1:6820");
        p.put("hpcspawner.systems.testsys.jwt-key-file", "src/test/resources/test-jwt.key");
        p.put("hpcspawner.profiles.small.system", "testsys");
        p.put("hpcspawner.profiles.small.partition", "debug");
        return p;
    }

    /** {@link #minimal()} with the Keycloak settings a FirecREST system needs (fake secrets). */
    public static Map<String, String> withKeycloak() {
        Map<String, String> p = minimal();
        p.put("hpcspawner.keycloak.issuer", "https://auth.example.org/realms/hpc");
        p.put("hpcspawner.keycloak.user-client.id", "jupyterhub");
        p.put("hpcspawner.keycloak.user-client.secret", "s1");
        p.put("hpcspawner.keycloak.service-client.id", "hpcspawner");
        p.put("hpcspawner.keycloak.service-client.secret", "s2");
        p.put("hpcspawner.keycloak.token-encryption-key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
        return p;
    }

    /** A site file (a properties file, as {@code hpcspawner.config-file} names it) read on top of {@code base}. */
    public static SpawnerConfig from(java.nio.file.Path siteFile, Map<String, String> base) throws java.io.IOException {
        return new SmallRyeConfigBuilder().withMapping(SpawnerConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(siteFile.toUri().toURL(), 270),
                        new PropertiesConfigSource(base, "base", 260))
                .build().getConfigMapping(SpawnerConfig.class);
    }

    public static SpawnerConfig from(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(SpawnerConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(SpawnerConfig.class);
    }

    /** The profile rules a configuration gives, resolved as the service resolves them at start. */
    public static ProfileCatalog catalog(SpawnerConfig config) {
        return new ProfileCatalog(DomainSettings.profilesOf(config), DomainSettings.systemsOf(config));
    }

    /** The batch script renderer a configuration gives, with the template it names (or the built-in one). */
    public static BatchScriptRenderer renderer(SpawnerConfig config) {
        return new BatchScriptRenderer(Engine.builder().addDefaults().build(), new BatchTemplate(config.batch().template()));
    }
}
