package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Reloader comes with the chart as an optional dependency, watching the release's namespace only, and
 * the annotations that make any Reloader roll the hub and the service are switched on their own.
 */
class ReloaderDependencyTest {

    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void theChartDependsOnReloader22WhenReloaderIsEnabled() throws Exception {
        JsonNode chart = YAML.readTree(RenderedChart.CHART.resolve("Chart.yaml").toFile());
        assertThat(chart.path("dependencies")).hasSize(1);
        JsonNode reloader = chart.path("dependencies").get(0);
        assertThat(reloader.path("name").asText()).isEqualTo("reloader");
        assertThat(reloader.path("version").asText()).isEqualTo("~2.2.0");
        assertThat(reloader.path("repository").asText()).isEqualTo("https://stakater.github.io/stakater-charts");
        assertThat(reloader.path("condition").asText()).isEqualTo("reloader.enabled");
    }

    @Test
    void theBundledReloaderWatchesThisNamespaceWithItsOwnAccountAndNoPodTemplateAnnotations() throws Exception {
        JsonNode values = YAML.readTree(RenderedChart.CHART.resolve("values.yaml").toFile()).path("reloader");
        assertThat(values.path("enabled").asBoolean()).isTrue();
        JsonNode sub = values.path("reloader");
        assertThat(sub.path("watchGlobally").asBoolean(true)).as("cluster-wide RBAC").isFalse();
        assertThat(sub.path("reloadStrategy").asText()).as("Argo CD sees annotations as drift").isEqualTo("env-vars");
        assertThat(sub.path("serviceAccount").path("create").asBoolean()).as("else it binds the namespace's default account").isTrue();
        JsonNode container = sub.path("deployment").path("containerSecurityContext");
        assertThat(container.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.path("capabilities").path("drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(sub.path("deployment").path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
    }

    @Test
    void withAClusterWideReloaderTheWorkloadsAreStillAnnotated() {
        RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("staging.yaml")),
                Map.of("reloader.enabled", false));
        assertThat(annotations(chart, "jhub-hpcspawner-hub").path("configmap.reloader.stakater.com/reload").asText())
                .isEqualTo("jhub-hpcspawner-hub");
        assertThat(annotations(chart, "jhub-hpcspawner-spawner").path("secret.reloader.stakater.com/reload").asText())
                .startsWith("jhub-hpcspawner");
    }

    @Test
    void withoutAnnotationsNoWorkloadIsRolled() {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of("reloader.annotate", false));
        for (JsonNode deployment : chart.ofKind("Deployment")) {
            assertThat(deployment.toString()).doesNotContain("reloader.stakater.com");
        }
    }

    private static JsonNode annotations(RenderedChart chart, String deployment) {
        return chart.get("Deployment", deployment).path("metadata").path("annotations");
    }
}
