package io.hpcspawner.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.support.TestConfigs;
import io.hpcspawner.app.ConfigChecks;
import io.hpcspawner.spawn.rules.JobEnvironment;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.service.ReadySignalSetup;
import io.hpcspawner.spawn.model.ServerKey;
import io.quarkus.qute.Engine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The container example of dockerfiles/README.md (dockerfiles/singleuser/hpcspawner-container.properties),
 * read as the service reads a site file: it passes the start-up checks, and each runtime's batch
 * script starts the server through that runtime after the script's own set-up.
 */
class ContainerProfileExampleTest {

    static final Path EXAMPLE = Path.of("dockerfiles/singleuser/hpcspawner-container.properties");

    @TempDir
    Path dir;

    @Test
    void theExamplePassesTheStartUpChecks() throws Exception {
        SpawnerConfig config = UenvProfileExampleTest.withExample(EXAMPLE, UenvProfileExampleTest.base());
        assertThat(new ConfigChecks(config).problems()).isEmpty();
        assertThat(config.profiles()).containsKeys("ce", "pyxis", "apptainer");
    }

    @ParameterizedTest
    @CsvSource({
        "ce, daint, srun --cpus-per-task=$SLURM_CPUS_PER_TASK --environment=jupyterlab jupyterhub-singleuser &",
        "pyxis, cluster, srun --cpus-per-task=$SLURM_CPUS_PER_TASK --container-image=/shared/images/singleuser.sqsh --container-mount-home --container-workdir=$PWD jupyterhub-singleuser &",
        "apptainer, gpu, apptainer exec --nv /shared/images/singleuser-pytorch.sif jupyterhub-singleuser &",
    })
    void theBatchScriptStartsTheServerInTheContainer(String profile, String system, String serverLine) throws Exception {
        SpawnerConfig config = UenvProfileExampleTest.withExample(EXAMPLE, UenvProfileExampleTest.base());
        LaunchPlan plan = TestConfigs.catalog(config).plan("alice", Map.of("profile", profile));
        String script = TestConfigs.renderer(config).render(
                new ServerKey("alice", ""), plan, DomainSettings.systemsOf(config).get(system), "hpcsp-abc",
                "/users/alice/.hpcspawner-1.log", new ReadySignalSetup("abc", "start-secret", Optional.empty()),
                JobEnvironment.compose(Map.of("JUPYTERHUB_API_TOKEN", "aaaa1111"), Map.of()));

        List<String> lines = script.lines().toList();
        // after the script has exported the server's environment (srun and apptainer pass it in)
        assertThat(lines).contains(serverLine);
        int exported = lines.indexOf(lines.stream().filter(l -> l.startsWith("export JUPYTERHUB_SERVICE_URL=")).findFirst().orElseThrow());
        assertThat(lines.indexOf(serverLine)).isGreaterThan(exported);

        Path file = Files.writeString(dir.resolve("job.sh"), script);
        Process check = new ProcessBuilder("bash", "-n", file.toString()).redirectErrorStream(true).start();
        assertThat(check.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(new String(check.getInputStream().readAllBytes())).isEmpty();
        assertThat(check.exitValue()).isZero();
    }
}
