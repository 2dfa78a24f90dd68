package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * Writes the example staging release's hub configuration (jupyterhub_config.py and hub-values.json,
 * as the hub pod mounts them) to target/chart-rendered/, where the hub image's smoke test in
 * scripts/images.sh loads it with the image's own JupyterHub and plugin.
 */
class HubImageConfigTest {

    static final Path OUT = Path.of("target/chart-rendered");

    @Test
    void writesTheRenderedHubConfigurationForTheImageSmokeTest() throws IOException {
        RenderedChart chart = RenderedChart.staging();
        Files.createDirectories(OUT);
        Files.writeString(OUT.resolve("jupyterhub_config.py"), chart.hubConfigPy());
        Files.writeString(OUT.resolve("hub-values.json"), chart.hubValuesJson());

        // what the smoke test compares the loaded spawner's service_url with
        assertThat(new ObjectMapper().readTree(OUT.resolve("hub-values.json").toFile()).path("spawnerUrl").asText())
                .isEqualTo("http://jhub-hpcspawner-spawner:8090");
        assertThat(Files.readString(OUT.resolve("jupyterhub_config.py"))).contains("c.HPCSpawner.service_url");
    }
}
