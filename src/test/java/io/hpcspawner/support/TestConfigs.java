package io.hpcspawner.support;

import io.hpcspawner.config.SpawnerConfig;
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

    public static SpawnerConfig from(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(SpawnerConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(SpawnerConfig.class);
    }
}
