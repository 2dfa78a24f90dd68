package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Each component runs as its own ServiceAccount, never the namespace's default one, with no API token. */
class ServiceAccountTest {

    @Test
    void eachWorkloadRunsAsItsOwnAccountWithoutAToken() {
        RenderedChart chart = RenderedChart.staging();
        chart.podSpecs().forEach((workload, pod) -> {
            String account = pod.path("serviceAccountName").asText();
            assertThat(account).as("%s", workload).isEqualTo(workload);
            assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).as("%s", workload).isFalse();
            JsonNode serviceAccount = chart.get("ServiceAccount", account);
            assertThat(serviceAccount.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        });
        assertThat(chart.ofKind("ServiceAccount")).hasSize(3);
    }

    @Test
    void aSiteMayBringItsOwnAccountOrAnnotateOurs() {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of(
                "spawner.serviceAccount.create", false, "spawner.serviceAccount.name", "vault-reader",
                "hub.serviceAccount.annotations.example\\.org/role", "hub"));
        assertThat(chart.podSpecs().get("jhub-hpcspawner-spawner").path("serviceAccountName").asText()).isEqualTo("vault-reader");
        assertThat(chart.find("ServiceAccount", "vault-reader")).isEmpty();
        assertThat(chart.get("ServiceAccount", "jhub-hpcspawner-hub").path("metadata").path("annotations").path("example.org/role").asText())
                .isEqualTo("hub");
    }
}
