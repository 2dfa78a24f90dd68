package io.hpcspawner.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * Pins agree everywhere they are repeated: dockerfiles/versions.env against the Dockerfiles' ARG
 * defaults, the proxy's lock file, the images' requirement files, the uenv recipe, the e2e stack's
 * JupyterHub and the chart's image tags. (Chart.yaml's appVersion = the project version: ChartTest.)
 * When a pin changes, change it in versions.env and in every file a failure here names.
 */
class VersionPinsTest {

    private final VersionsEnv pins = VersionsEnv.read();

    @Test
    void theDockerfilesDefaultsAreThePins() {
        assertThat(DockerfilesTest.image("service").argDefault("BASE")).hasValue(pins.get("SERVICE_BASE"));
        assertThat(DockerfilesTest.image("proxy").argDefault("BASE")).hasValue(pins.get("PROXY_BASE"));
        assertThat(DockerfilesTest.image("proxy").argDefault("CHP_VERSION")).hasValue(pins.get("CHP_VERSION"));
        assertThat(DockerfilesTest.image("hub").argDefault("BASE")).hasValue(pins.get("HUB_BASE"));
        assertThat(DockerfilesTest.image("hub").argDefault("SETUPTOOLS_VERSION")).hasValue(pins.get("SETUPTOOLS_VERSION"));
        assertThat(DockerfilesTest.image("singleuser").argDefault("BASE")).hasValue(pins.get("SINGLEUSER_BASE"));
    }

    @Test
    void theSingleuserDockerfileNamesTheNgcBaseItDocuments() throws IOException {
        assertThat(Files.readString(Path.of("dockerfiles/singleuser/Dockerfile"))).contains("--build-arg BASE=" + pins.get("SINGLEUSER_NGC_BASE"));
    }

    @Test
    void theProxyImageInstallsThePinnedConfigurableHttpProxy() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode manifest = json.readTree(Path.of("dockerfiles/proxy/package.json").toFile());
        JsonNode lock = json.readTree(Path.of("dockerfiles/proxy/package-lock.json").toFile());
        String chp = pins.get("CHP_VERSION");
        assertThat(manifest.at("/dependencies/configurable-http-proxy").asText()).isEqualTo(chp);
        assertThat(lock.path("packages").path("").at("/dependencies/configurable-http-proxy").asText()).as("package-lock.json's root").isEqualTo(chp);
        assertThat(lock.path("packages").path("node_modules/configurable-http-proxy").path("version").asText())
                .as("the version package-lock.json installs (regenerate: npm install --package-lock-only)").isEqualTo(chp);
    }

    @Test
    void theImagesRequirementsPinTheVersions() throws IOException {
        String hub = pins.get("JUPYTERHUB_VERSION");
        assertThat(requirements("dockerfiles/hub/requirements.txt")).containsEntry("jupyterhub", hub)
                .containsEntry("oauthenticator", pins.get("OAUTHENTICATOR_VERSION"))
                .containsEntry("jupyterhub-idle-culler", pins.get("IDLE_CULLER_VERSION"));
        assertThat(requirements("dockerfiles/hub/requirements-debian.txt")).containsEntry("jupyterhub", hub);
        assertThat(requirements("dockerfiles/singleuser/requirements.txt")).containsEntry("jupyterhub", hub)
                .containsEntry("jupyterlab", pins.get("JUPYTERLAB_VERSION"));
        assertThat(requirements("dockerfiles/singleuser/requirements-debian.txt")).containsEntry("jupyterhub", hub);
    }

    @Test
    void theUenvRunsTheSameJupyterHubAndJupyterLabAsTheSingleuserImage() throws IOException {
        assertThat(requirements("uenv/jupyterlab/requirements.txt"))
                .containsEntry("jupyterhub", pins.get("JUPYTERHUB_VERSION"))
                .containsEntry("jupyterlab", pins.get("JUPYTERLAB_VERSION"));
    }

    @Test
    void theEndToEndSuiteRunsTheHubImagesJupyterHub() throws IOException {
        // scripts/stack/hub-up.sh runs JupyterHub by major.minor (Debian 13's 5.2.1 for "5.2"), and
        // scripts/test.sh's Slurm 24.11 run picks it by default.
        String majorMinor = pins.majorMinor("JUPYTERHUB_VERSION");
        assertThat(Files.readString(Path.of("scripts/stack/hub-up.sh"))).containsPattern("(?m)^" + majorMinor.replace(".", "\\.") + "\\)");
        assertThat(Files.readString(Path.of("scripts/test.sh"))).contains("E2E_2411_HUB_VERSION:-" + majorMinor + "}");
    }

    @Test
    void theChartDeploysThePinnedProxyAndTheProjectsImages() throws IOException {
        JsonNode values = new YAMLMapper().readTree(Path.of("chart/values.yaml").toFile());
        assertThat(values.at("/proxy/chp/image/tag").asText()).isEqualTo(pins.get("CHP_VERSION"));
        // empty: the chart's appVersion, which is the project version the images are tagged with
        assertThat(values.at("/hub/image/tag").asText()).isEmpty();
        assertThat(values.at("/spawner/image/tag").asText()).isEmpty();
    }

    /** name==version lines of a requirements file, by name. */
    private static Map<String, String> requirements(String file) throws IOException {
        Map<String, String> pinned = new TreeMap<>();
        for (String line : Files.readAllLines(Path.of(file))) {
            String requirement = line.replaceAll("#.*", "").strip();
            if (requirement.contains("==")) {
                String[] nameVersion = requirement.split("==", 2);
                pinned.put(nameVersion[0].strip().toLowerCase(), nameVersion[1].strip());
            }
        }
        return pinned;
    }
}
