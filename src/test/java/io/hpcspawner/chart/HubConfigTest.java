package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rendered jupyterhub_config.py, loaded by traitlets (as JupyterHub loads it) with the rendered
 * values: what the hub would run with. Needs /usr/bin/python3 with traitlets (Debian's jupyterhub
 * or python3-traitlets).
 */
class HubConfigTest {

    private static final String PYTHON = "/usr/bin/python3";
    private static final String LOAD = """
            import json, sys
            from traitlets.config.loader import PyFileConfigLoader
            config = PyFileConfigLoader("jupyterhub_config.py", path=sys.argv[1]).load_config()
            print(json.dumps({section: dict(config[section]) for section in config}, default=str))
            """;

    @TempDir
    Path dir;

    @Test
    void theHubRunsWithTheChartsWiringAndTheSitesSettings() throws Exception {
        JsonNode config = load(RenderedChart.staging());

        assertThat(config.at("/JupyterHub/cleanup_servers").asBoolean(true)).isFalse();
        assertThat(config.at("/JupyterHub/hub_bind_url").asText()).isEqualTo("http://:8081");
        // the proxy's /hub/ route follows JupyterHub.hub_connect_url: the Service, not the public URL
        assertThat(config.at("/JupyterHub/hub_connect_url").asText()).isEqualTo("http://jhub-hpcspawner-hub:8081");
        assertThat(config.at("/Spawner/hub_connect_url").asText()).isEqualTo("https://jupyter-staging.example.org");
        assertThat(config.at("/JupyterHub/last_activity_interval").asInt()).isEqualTo(60);
        assertThat(config.at("/JupyterHub/spawner_class").asText()).isEqualTo("hpcspawner.HPCSpawner");
        assertThat(config.at("/JupyterHub/db_url").asText()).isEqualTo("sqlite:////srv/jupyterhub/jupyterhub.sqlite");
        assertThat(config.at("/ConfigurableHTTPProxy/should_start").asBoolean(true)).isFalse();
        assertThat(config.at("/ConfigurableHTTPProxy/api_url").asText()).isEqualTo("http://jhub-hpcspawner-proxy-api:8001");
        assertThat(config.at("/HPCSpawner/service_url").asText()).isEqualTo("http://jhub-hpcspawner-spawner:8090");
        // hub.config from site-common.yaml and staging.yaml, merged
        assertThat(config.at("/GenericOAuthenticator/client_id").asText()).isEqualTo("jupyterhub-staging");
        assertThat(config.at("/GenericOAuthenticator/enable_auth_state").asBoolean()).isTrue();
        // hub.extraConfig ran
        assertThat(config.at("/JupyterHub/custom_scopes").toString()).contains("custom:hpcspawner:servers");
    }

    @Test
    void aQuoteInAValueIsDataNotCode() throws Exception {
        RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("staging.yaml")),
                Map.of("hub.config.GenericOAuthenticator.login_service", "Example's \"Login\"\nnext line"));
        assertThat(load(chart).at("/GenericOAuthenticator/login_service").asText()).isEqualTo("Example's \"Login\"\nnext line");
    }

    @Test
    void aSectionThatIsNotAClassNameIsRefusedByTheSchema() {
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("hub.config.admin_users", "alice")))
                .hasMessageContaining("/hub/config");
    }

    private JsonNode load(RenderedChart chart) throws IOException, InterruptedException {
        return load(chart, dir);
    }

    /**
     * Loads the rendered config in {@code dir} with the hub container's environment: plain values as
     * rendered, secretKeyRefs from the chart's Secret, or "from-secret:<name>/<key>" for a Secret
     * made outside Helm.
     */
    static JsonNode load(RenderedChart chart, Path dir) throws IOException, InterruptedException {
        Files.writeString(dir.resolve("jupyterhub_config.py"), chart.hubConfigPy());
        Files.writeString(dir.resolve("hub-values.json"), chart.hubValuesJson());
        assertThat(Path.of(PYTHON)).as("the test needs %s with traitlets (apt-get install python3-traitlets)", PYTHON).exists();
        ProcessBuilder python = new ProcessBuilder(PYTHON, "-c", LOAD, dir.toString()).redirectErrorStream(true);
        JsonNode chartSecret = chart.get("Secret", "jhub-hpcspawner").path("data");
        for (JsonNode env : chart.get("Deployment", "jhub-hpcspawner-hub").at("/spec/template/spec/containers/0/env")) {
            JsonNode ref = env.at("/valueFrom/secretKeyRef");
            String value = env.path("value").asText();
            if (!ref.isMissingNode()) {
                String key = ref.path("key").asText();
                value = ref.path("name").asText().equals("jhub-hpcspawner") && chartSecret.has(key)
                        ? new String(Base64.getDecoder().decode(chartSecret.path(key).asText()), StandardCharsets.UTF_8)
                        : "from-secret:" + ref.path("name").asText() + "/" + key;
            }
            python.environment().put(env.path("name").asText(), value);
        }
        python.environment().put("HPCSPAWNER_CHART_VALUES", dir.resolve("hub-values.json").toString());
        Process process = python.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("loading the rendered jupyterhub_config.py:\n%s", output).isZero();
        return new ObjectMapper().readTree(output);
    }
}
