package io.hpcspawner.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged service refuses a bad configuration at start-up, naming each problem. */
class StartupConfigIT {

    @TempDir
    Path dir;

    @Test
    void aBadConfigurationStopsStartUpWithOneLinePerProblem() throws Exception {
        String out = refusedStart(
                "hpcspawner.auth.hub-token=short",
                "hpcspawner.job-name-prefix=Bad Prefix",
                "hpcspawner.systems.local.backend=slurmrestd",
                "hpcspawner.systems.local.url=http://127.0.0.1:6820",
                "hpcspawner.profiles.small.system=nowhere",
                "hpcspawner.profiles.small.partition=debug");
        assertThat(out).contains("hpcspawner.auth.hub-token").contains("openssl rand -hex 32");
        assertThat(out).contains("hpcspawner.job-name-prefix").contains("e.g. hpcsp");
        assertThat(out).doesNotContain("short\n"); // the token's value is never echoed
    }

    @Test
    void crossKeyProblemsStayOneLineEachThroughTheLogFilter() throws Exception {
        String out = refusedStart(
                "hpcspawner.public-url=http://127.0.0.1:8090",
                "hpcspawner.auth.hub-token=0123456789abcdef0123456789abcdef0123",
                "hpcspawner.systems.local.backend=slurmrestd",
                "hpcspawner.systems.local.url=http://127.0.0.1:6820",
                "hpcspawner.systems.local.jwt-key-file=/nonexistent/key",
                "hpcspawner.systems.local.output-path=/tmp/{job}.log",
                "hpcspawner.profiles.small.system=local",
                "hpcspawner.profiles.small.partition=debug");
        assertThat(out.lines()).anySatisfy(l -> assertThat(l).startsWith("  - hpcspawner.systems.local.output-path: ")
                .contains("e.g. {workdir}/.hpcspawner-{job}.log"));
        assertThat(out.lines()).anySatisfy(l -> assertThat(l).startsWith("  - hpcspawner.systems.local.jwt-key-file: "));
    }

    /** Starts the packaged service with these settings and returns what it printed before it gave up. */
    private String refusedStart(String... settings) throws Exception {
        Path props = dir.resolve("bad.properties");
        Files.writeString(props, "quarkus.http.port=0\nquarkus.management.port=0\nhpcspawner.store.directory=" + dir.resolve("store") + "\n"
                + String.join("\n", settings));
        Process p = new ProcessBuilder("java", "-Dquarkus.config.locations=" + props, "-jar",
                Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the service exits").isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).isNotZero();
        return out;
    }
}
