package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Prometheus scrapes the hub (with the chart Secret's metrics token) and the service's management
 * port through ServiceMonitors, rendered when asked or, by default, when the cluster has the CRD.
 */
class ServiceMonitorTest {

    @Test
    void byDefaultOnlyWhenTheClusterServesServiceMonitors() {
        // helm-java renders without a cluster: no monitoring.coreos.com/v1 among the API versions
        assertThat(RenderedChart.render().ofKind("ServiceMonitor")).isEmpty();
        assertThat(RenderedChart.render(List.of(), Map.of("metrics.serviceMonitor.enabled", false)).ofKind("ServiceMonitor")).isEmpty();
        assertThat(RenderedChart.render(List.of(), Map.of("metrics.serviceMonitor.enabled", true)).ofKind("ServiceMonitor")).hasSize(2);
    }

    @Test
    void theHubIsScrapedOnItsServicesPortWithTheMetricsToken() {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of("metrics.serviceMonitor.enabled", true, "hub.baseUrl", "/jupyter/"));
        JsonNode monitor = chart.get("ServiceMonitor", "jhub-hpcspawner-hub").path("spec");
        JsonNode endpoint = monitor.path("endpoints").get(0);
        assertThat(endpoint.path("path").asText()).isEqualTo("/jupyter/hub/metrics");
        assertThat(endpoint.path("authorization").toString())
                .isEqualTo("{\"type\":\"Bearer\",\"credentials\":{\"name\":\"jhub-hpcspawner\",\"key\":\"metrics-token\"}}");
        assertThat(selectedPort(chart, monitor, endpoint).path("targetPort").asText()).isEqualTo("http");
        assertThat(endpoint.path("interval").asText()).isEqualTo("30s");
    }

    @Test
    void theServiceIsScrapedOnItsManagementPort() {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of("metrics.serviceMonitor.enabled", true));
        JsonNode monitor = chart.get("ServiceMonitor", "jhub-hpcspawner-spawner").path("spec");
        JsonNode endpoint = monitor.path("endpoints").get(0);
        assertThat(endpoint.path("path").asText()).isEqualTo("/q/metrics");
        JsonNode port = selectedPort(chart, monitor, endpoint);
        assertThat(port.path("port").asInt()).isEqualTo(9000);
        JsonNode container = chart.get("Deployment", "jhub-hpcspawner-spawner").path("spec").path("template").path("spec")
                .path("containers").get(0);
        assertThat(container.path("ports").toString()).contains("{\"name\":\"management\",\"containerPort\":9000}");
        assertThat(chart.serviceProperty("quarkus.management.port")).isEqualTo("9000");
    }

    @Test
    void prometheusSelectorLabelsComeFromTheValues() {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("production.yaml"));
        for (JsonNode monitor : chart.ofKind("ServiceMonitor")) {
            assertThat(monitor.path("metadata").path("labels").path("release").asText()).isEqualTo("kube-prometheus-stack");
        }
        assertThat(chart.ofKind("ServiceMonitor")).hasSize(2);
    }

    @Test
    void prometheusReadsTheMetricsTokenTheHubHasWhateverTheSecretsSource() {
        // production: External Secrets with generateMissing, where the metrics token lives in the generated Secret
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("production.yaml"));
        JsonNode credentials = chart.get("ServiceMonitor", "jhub-hpcspawner-hub").at("/spec/endpoints/0/authorization/credentials");
        JsonNode hubEnv = chart.get("Deployment", "jhub-hpcspawner-hub").at("/spec/template/spec/containers/0/env");
        JsonNode hubToken = null;
        for (JsonNode variable : hubEnv) {
            if (variable.path("name").asText().equals("HPCSPAWNER_METRICS_TOKEN")) {
                hubToken = variable.at("/valueFrom/secretKeyRef");
            }
        }
        assertThat(hubToken).as("the hub's HPCSPAWNER_METRICS_TOKEN").isNotNull();
        assertThat(credentials.path("name").asText()).isEqualTo(hubToken.path("name").asText());
        assertThat(credentials.path("key").asText()).isEqualTo(hubToken.path("key").asText());
    }

    /** The port of the one Service the monitor selects that the endpoint names. */
    private static JsonNode selectedPort(RenderedChart chart, JsonNode monitor, JsonNode endpoint) {
        List<JsonNode> services = chart.ofKind("Service").stream().filter(s -> selects(monitor, s)).toList();
        assertThat(services).as("Services selected by %s", monitor.path("selector")).hasSize(1);
        for (JsonNode port : services.get(0).path("spec").path("ports")) {
            if (port.path("name").asText().equals(endpoint.path("port").asText())) {
                return port;
            }
        }
        throw new AssertionError("no port " + endpoint.path("port") + " on " + services.get(0).path("metadata").path("name"));
    }

    private static boolean selects(JsonNode monitor, JsonNode service) {
        JsonNode labels = service.path("metadata").path("labels");
        var wanted = monitor.path("selector").path("matchLabels").fields();
        while (wanted.hasNext()) {
            var label = wanted.next();
            if (!label.getValue().equals(labels.path(label.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
