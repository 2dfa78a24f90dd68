package io.hpcspawner.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.app.ConfigChecks;
import io.hpcspawner.spawn.rules.JobEnvironment;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.service.ReadySignalSetup;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.support.TestConfigs;
import io.quarkus.qute.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The profile example of uenv/README.md (uenv/examples/hpcspawner-uenv.properties), read as the
 * service reads a site file, passes the start-up checks and gives a batch script that mounts the
 * jupyterlab uenv and starts the server from its jupyter view.
 */
class UenvProfileExampleTest {

    static final Path EXAMPLE = Path.of("uenv/examples/hpcspawner-uenv.properties");
    static final String ACTIVATE = ". /user-tools/env/jupyter/activate.sh";

    @TempDir
    Path dir;

    /** The example on top of a base that has what it leaves out (hub token, Keycloak), as a site file. */
    static SpawnerConfig withExample(Map<String, String> base) throws IOException {
        return withExample(EXAMPLE, base);
    }

    /** A site-file example (a properties file) on top of {@code base}, read as the service reads its configuration. */
    static SpawnerConfig withExample(Path example, Map<String, String> base) throws IOException {
        return TestConfigs.from(example, base);
    }

    static Map<String, String> base() {
        return TestConfigs.withKeycloak();
    }

    @Test
    void theExamplePassesTheStartUpChecks() throws IOException {
        SpawnerConfig config = withExample(base());
        assertThat(new ConfigChecks(config).problems()).isEmpty();
        assertThat(config.profiles()).containsKeys("jupyterlab", "jupyterlab-gpu", "prgenv-gnu", "clariden");
    }

    @Test
    void everyProfileOfTheSystemThatActivatesTheViewMountsTheImage() throws IOException {
        SpawnerConfig config = withExample(base());
        config.profiles().forEach((name, p) -> {
            if (config.systems().get(p.system()).prelude().orElse(List.of()).contains(ACTIVATE)) {
                assertThat(p.sbatchOptions().orElse(List.of())).as(name).filteredOn(o -> o.startsWith("--uenv="))
                        .singleElement().satisfies(o -> assertThat(o.substring("--uenv=".length()).split(","))
                                .anySatisfy(image -> assertThat(image).startsWith("jupyterlab/").endsWith(":/user-tools")));
            }
        });
    }

    @Test
    void theBatchScriptMountsTheUenvAndStartsTheServerFromTheJupyterView() throws Exception {
        SpawnerConfig config = withExample(base());
        LaunchPlan plan = TestConfigs.catalog(config).plan("alice", Map.of("profile", "jupyterlab-gpu"));
        String script = TestConfigs.renderer(config).render(
                new ServerKey("alice", ""), plan, DomainSettings.systemsOf(config).get("daint"), "hpcsp-abc",
                "/users/alice/.hpcspawner-1.log", new ReadySignalSetup("abc", "start-secret", Optional.empty()),
                JobEnvironment.compose(Map.of(), Map.of()));

        List<String> lines = script.lines().toList();
        assertThat(lines).contains("#SBATCH --uenv=jupyterlab/5.2:/user-tools", "#SBATCH --gpus-per-node=4");
        int path = lines.indexOf(lines.stream().filter(l -> l.startsWith("export PATH=")).findFirst().orElseThrow());
        int activate = lines.indexOf(ACTIVATE);
        int server = lines.indexOf("jupyterhub-singleuser &");
        // The view is activated after the script sets PATH, and before the server starts.
        assertThat(activate).isGreaterThan(path).isLessThan(server);

        Path file = Files.writeString(dir.resolve("job.sh"), script);
        Process check = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
        assertThat(check.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(check.getInputStream().readAllBytes())).isEmpty();
        assertThat(check.exitValue()).isZero();
    }

    @Test
    void aStackedProfileMountsBothImagesWithOneOption() throws Exception {
        SpawnerConfig config = withExample(base());
        assertThat(config.profiles().get("prgenv-gnu").sbatchOptions().orElseThrow())
                .containsExactly("--uenv=prgenv-gnu/26.3:/user-environment,jupyterlab/5.2:/user-tools");
        LaunchPlan plan = TestConfigs.catalog(config).plan("alice", Map.of("profile", "prgenv-gnu"));
        String script = TestConfigs.renderer(config).render(
                new ServerKey("alice", ""), plan, DomainSettings.systemsOf(config).get("daint"), "hpcsp-abc",
                "/users/alice/.hpcspawner-1.log", new ReadySignalSetup("abc", "start-secret", Optional.empty()),
                JobEnvironment.compose(Map.of(), Map.of()));
        assertThat(script.lines()).contains("#SBATCH --uenv=prgenv-gnu/26.3:/user-environment,jupyterlab/5.2:/user-tools");
    }

    @Test
    void theUenvRunFormMountsTheImageInTheServersCommand() throws Exception {
        SpawnerConfig config = withExample(base());
        LaunchPlan plan = TestConfigs.catalog(config).plan("alice", Map.of("profile", "clariden"));
        String script = TestConfigs.renderer(config).render(
                new ServerKey("alice", ""), plan, DomainSettings.systemsOf(config).get("clariden"), "hpcsp-abc",
                "/users/alice/.hpcspawner-1.log", new ReadySignalSetup("abc", "start-secret", Optional.empty()),
                JobEnvironment.compose(Map.of(), Map.of()));
        List<String> lines = script.lines().toList();
        assertThat(lines).noneMatch(l -> l.startsWith("#SBATCH --uenv")).noneMatch(l -> l.contains("activate.sh"));
        int path = lines.indexOf(lines.stream().filter(l -> l.startsWith("export PATH=")).findFirst().orElseThrow());
        int server = lines.indexOf("uenv run --view=jupyter jupyterlab/5.2:/user-tools -- jupyterhub-singleuser &");
        assertThat(server).isGreaterThan(path);
    }

    @Test
    void onASlurmrestdSystemTheUenvOptionIsRefusedAtStartUp() throws IOException {
        Map<String, String> p = base();
        p.put("hpcspawner.profiles.small.sbatch-options", "--uenv=jupyterlab/5.2:/user-tools");
        assertThat(new ConfigChecks(withExample(p)).problems()).singleElement().satisfies(m -> assertThat(m)
                .startsWith("hpcspawner.profiles.small.sbatch-options: \"--uenv=jupyterlab/5.2:/user-tools\" cannot be sent"
                        + " through slurmrestd"));
    }
}
