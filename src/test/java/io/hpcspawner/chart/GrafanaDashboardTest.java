package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service's Grafana dashboard ships as a ConfigMap that Grafana's sidecar picks up by its label,
 * only when asked; its panels query the service's metrics through the dashboard's data source and
 * system variables (e2e test_zz_prometheus_dashboard.py evaluates them against a real Prometheus).
 */
class GrafanaDashboardTest {

    static final Path DASHBOARD = RenderedChart.CHART.resolve("dashboards/hpcspawner.json");
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void noDashboardUnlessAsked() {
        assertThat(RenderedChart.render().find("ConfigMap", "jhub-hpcspawner-dashboard")).isEmpty();
    }

    @Test
    void theSidecarFindsTheDashboardByItsLabelAndGetsTheFileAsItIs() throws IOException {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of("metrics.grafanaDashboard.enabled", true));
        JsonNode map = chart.get("ConfigMap", "jhub-hpcspawner-dashboard");

        assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
        assertThat(map.at("/metadata/namespace").asText()).isEqualTo("jupyter");
        assertThat(JSON.readTree(map.at("/data/hpcspawner.json").asText())).isEqualTo(JSON.readTree(DASHBOARD.toFile()));
    }

    @Test
    void labelsAnnotationsAndNamespaceFollowTheSitesSidecar(@TempDir Path dir) throws IOException {
        Path values = dir.resolve("grafana.yaml");
        Files.writeString(values, """
                metrics:
                  grafanaDashboard:
                    enabled: true
                    labels: {dashboards: grafana}
                    annotations: {grafana_folder: HPC}
                    namespace: monitoring
                """);
        JsonNode map = RenderedChart.render(values).get("ConfigMap", "jhub-hpcspawner-dashboard");

        assertThat(map.at("/metadata/labels/dashboards").asText()).isEqualTo("grafana");
        assertThat(map.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1"); // merged with the default
        assertThat(map.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("HPC");
        assertThat(map.at("/metadata/namespace").asText()).isEqualTo("monitoring");
    }

    @Test
    void everyPanelQueriesTheServicesMetricsThroughTheDashboardsDataSource() throws IOException {
        JsonNode dashboard = JSON.readTree(DASHBOARD.toFile());
        List<String> exprs = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.at("/datasource/uid").asText()).isEqualTo("${datasource}");
                exprs.add(target.path("expr").asText());
            }
        }
        assertThat(exprs).hasSizeGreaterThanOrEqualTo(11).allSatisfy(e -> assertThat(e).contains("hpcspawner_"));
        assertThat(String.join("\n", exprs)).contains("hpcspawner_spawns_total", "hpcspawner_spawn_ready_seconds_bucket",
                "hpcspawner_spawn_queue_wait_seconds_bucket", "hpcspawner_servers", "hpcspawner_scheduler_calls_seconds",
                "hpcspawner_token_refreshes_total", "hpcspawner_ready_callback_failures_total",
                "hpcspawner_watch_round_seconds", "hpcspawner_orphans_held", "hpcspawner_foreign_jobs")
                .doesNotContain("user=", "server=");
    }
}
