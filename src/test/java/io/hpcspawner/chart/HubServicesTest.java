package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services the hub runs or admits (the idle culler from cull.*, the metrics token for
 * Prometheus), each with the least role it needs, as traitlets loads the rendered configuration.
 */
class HubServicesTest {

    @TempDir
    Path dir;

    @Test
    void theCullerRunsAsAHubServiceWithOnlyTheScopesItNeeds() throws Exception {
        JsonNode config = HubConfigTest.load(RenderedChart.staging(), dir);

        JsonNode culler = named(config.at("/JupyterHub/services"), "jupyterhub-idle-culler");
        assertThat(strings(culler.path("command")).subList(1, 8)).containsExactly("-m", "jupyterhub_idle_culler",
                "--timeout=3600", "--cull-every=600", "--concurrency=10", "--max-age=0", "--cull-admin-users=true");
        assertThat(culler.has("api_token")).as("the hub makes a managed service's token").isFalse();
        JsonNode role = named(config.at("/JupyterHub/load_roles"), "jupyterhub-idle-culler");
        assertThat(strings(role.path("scopes"))).containsExactly("list:users", "read:users:activity", "read:servers", "delete:servers");
        assertThat(strings(role.path("services"))).containsExactly("jupyterhub-idle-culler");
    }

    @Test
    void cullingUsersAddsTheScopeItNeeds() throws Exception {
        RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.STAGING), Map.of(
                "cull.users", true, "cull.removeNamedServers", true, "cull.adminUsers", false, "cull.timeout", 7200, "cull.maxAge", 86400));
        JsonNode config = HubConfigTest.load(chart, dir);

        assertThat(strings(named(config.at("/JupyterHub/services"), "jupyterhub-idle-culler").path("command")))
                .contains("--timeout=7200", "--max-age=86400", "--cull-admin-users=false", "--cull-users", "--remove-named-servers");
        assertThat(strings(named(config.at("/JupyterHub/load_roles"), "jupyterhub-idle-culler").path("scopes"))).contains("admin:users");
    }

    @Test
    void noCullerWhenDisabled() throws Exception {
        RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.STAGING), Map.of("cull.enabled", false));
        assertThat(HubConfigTest.load(chart, dir).at("/JupyterHub/services").toString()).doesNotContain("culler");
    }

    @Test
    void prometheusReadsMetricsWithTheMetricsToken() throws Exception {
        JsonNode config = HubConfigTest.load(RenderedChart.staging(), dir);

        assertThat(named(config.at("/JupyterHub/services"), "metrics").path("api_token").asText()).isEqualTo("test-metrics-token-hhhh8888");
        assertThat(strings(named(config.at("/JupyterHub/load_roles"), "metrics").path("scopes"))).containsExactly("read:metrics");
    }

    private static JsonNode named(JsonNode list, String name) {
        for (JsonNode item : list) {
            if (name.equals(item.path("name").asText())) {
                return item;
            }
        }
        throw new AssertionError("no " + name + " in " + list);
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(s -> strings.add(s.asText()));
        return strings;
    }
}
