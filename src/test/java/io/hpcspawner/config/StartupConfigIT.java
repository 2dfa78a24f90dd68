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

    static final String VALID = String.join("\n",
            "hpcspawner.auth.hub-token=0123456789abcdef0123456789abcdef0123",
            "hpcspawner.public-url=http://127.0.0.1:1",
            "hpcspawner.systems.local.backend=slurmrestd",
            "hpcspawner.systems.local.url=http://127.0.0.1:1",
            "hpcspawner.systems.local.jwt-key-file=%s",
            "hpcspawner.profiles.small.system=local",
            "hpcspawner.profiles.small.partition=debug");

    /** A working site file (the cluster unreachable, which does not stop a start) with the store in {@code store}. */
    private Path siteFile(String name, Path store) throws Exception {
        Path key = dir.resolve("jwt.key");
        if (!Files.exists(key)) {
            Files.write(key, new byte[32]);
        }
        return Files.writeString(dir.resolve(name), "quarkus.http.port=0\nquarkus.management.port=0\n"
                + "hpcspawner.store.directory=" + store + "\n" + VALID.formatted(key) + "\n");
    }

    private Process jar(java.util.Map<String, String> env, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("java", "-Xmx192m"));
        cmd.addAll(java.util.List.of(args));
        cmd.addAll(java.util.List.of("-jar", Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Reads the output of a started service until {@code line} shows, then returns all read so far. */
    private static String readUntil(Process p, String line) throws Exception {
        StringBuilder out = new StringBuilder();
        java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String l;
        while (System.nanoTime() < deadline && (l = r.readLine()) != null) {
            out.append(l).append('\n');
            if (l.contains(line)) {
                return out.toString();
            }
        }
        throw new AssertionError("no line with \"" + line + "\" in:\n" + out);
    }

    @Test
    void systemPropertiesAndEnvironmentVariablesOverrideTheSiteFileAndASecondInstanceOnTheSameStoreIsRefused()
            throws Exception {
        Path fileStore = dir.resolve("file-store");
        Path ownStore = dir.resolve("own-store");
        Path site = siteFile("site.properties", fileStore);
        Process first = jar(java.util.Map.of(),
                "-Dhpcspawner.config-file=" + site, "-Dhpcspawner.store.directory=" + ownStore);
        try {
            String out = readUntil(first, "server records from");
            assertThat(out).as("the -D store wins over the file's").contains("records from " + ownStore)
                    .doesNotContain(fileStore.toString());
            assertThat(Files.exists(ownStore.resolve(".lock"))).isTrue();

            // A second instance on the same store (the file's store overridden the same way) is refused.
            Process second = jar(java.util.Map.of(), "-Dhpcspawner.config-file=" + site,
                    "-Dhpcspawner.store.directory=" + ownStore);
            assertThat(second.waitFor(90, TimeUnit.SECONDS)).as("the second instance exits").isTrue();
            String refused = new String(second.getInputStream().readAllBytes());
            assertThat(second.exitValue()).isNotZero();
            assertThat(refused).contains("the store " + ownStore + " is in use by another running instance")
                    .contains("pid " + first.pid() + " on ");
        } finally {
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        // kill -9 released the OS lock: the store opens again although its lock file is still there
        Process third = jar(java.util.Map.of(), "-Dhpcspawner.config-file=" + site,
                "-Dhpcspawner.store.directory=" + ownStore);
        try {
            assertThat(readUntil(third, "server records from")).contains("records from " + ownStore);
        } finally {
            third.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anEnvironmentVariableOverridesTheSiteFile() throws Exception {
        Path envStore = dir.resolve("env-store");
        Path site = siteFile("site.properties", dir.resolve("file-store"));
        Process p = jar(java.util.Map.of("HPCSPAWNER_STORE_DIRECTORY", envStore.toString(),
                "HPCSPAWNER_CONFIG_FILE", site.toString()));
        try {
            assertThat(readUntil(p, "server records from")).contains("records from " + envStore);
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Starts the packaged service with these settings and returns what it printed before it gave up. */
    private String refusedStart(String... settings) throws Exception {
        Path props = dir.resolve("bad.properties");
        Files.writeString(props, "quarkus.http.port=0\nquarkus.management.port=0\nhpcspawner.store.directory=" + dir.resolve("store") + "\n"
                + String.join("\n", settings));
        Process p = new ProcessBuilder("java", "-Dhpcspawner.config-file=" + props, "-jar",
                Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath().toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the service exits").isTrue();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.exitValue()).isNotZero();
        return out;
    }
}
