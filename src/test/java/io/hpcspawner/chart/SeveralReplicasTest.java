package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's HA shape (spawner.store.kind kubernetes, spawner.replicas > 1): no PVC, rolling
 * updates, a Role for the store's objects and the Lease, a PodDisruptionBudget, replicas spread
 * across nodes, the Lease settings in the service's configuration and egress to the API server.
 */
class SeveralReplicasTest {

    static final String SPAWNER = "jhub-hpcspawner-spawner";
    static final List<java.nio.file.Path> STAGING = List.of(RenderedChart.SITE_COMMON,
            RenderedChart.EXAMPLES.resolve("staging.yaml"));

    static Map<String, Object> ha(int replicas) {
        Map<String, Object> set = new HashMap<>();
        set.put("spawner.replicas", replicas);
        set.put("spawner.store.kind", "kubernetes");
        set.put("spawner.networkPolicy.kubernetesApi.cidrs[0]", "10.96.0.1/32");
        return set;
    }

    @Test
    void threeReplicasOnTheKubernetesStore() {
        RenderedChart chart = RenderedChart.render(STAGING, ha(3));
        JsonNode deployment = chart.get("Deployment", SPAWNER);
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
        assertThat(deployment.path("spec").path("strategy").path("type").asText()).isEqualTo("RollingUpdate");
        assertThat(deployment.path("spec").path("strategy").path("rollingUpdate").path("maxUnavailable").asInt()).isZero();
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        assertThat(pod.path("automountServiceAccountToken").asBoolean()).as("the store and the Lease need the API").isTrue();
        assertThat(pod.path("volumes").findValuesAsText("name")).doesNotContain("store");
        assertThat(pod.path("containers").get(0).path("volumeMounts").findValuesAsText("name")).doesNotContain("store");
        assertThat(chart.ofKind("PersistentVolumeClaim")).extracting(p -> p.path("metadata").path("name").asText())
                .doesNotContain("jhub-hpcspawner-spawner-store");
        assertThat(pod.path("containers").get(0).path("env").toString())
                .contains("{\"name\":\"POD_NAME\",\"valueFrom\":{\"fieldRef\":{\"fieldPath\":\"metadata.name\"}}}");

        JsonNode antiAffinity = pod.path("affinity").path("podAntiAffinity").path("preferredDuringSchedulingIgnoredDuringExecution").get(0);
        assertThat(antiAffinity.path("podAffinityTerm").path("topologyKey").asText()).isEqualTo("kubernetes.io/hostname");
        assertThat(antiAffinity.path("podAffinityTerm").path("labelSelector").path("matchLabels"))
                .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));

        JsonNode budget = chart.get("PodDisruptionBudget", SPAWNER);
        assertThat(budget.path("spec").path("minAvailable").asInt()).isEqualTo(1);
        assertThat(budget.path("spec").path("selector").path("matchLabels"))
                .isEqualTo(deployment.path("spec").path("selector").path("matchLabels"));

        assertThat(chart.serviceProperty("hpcspawner.store.kind")).isEqualTo("kubernetes");
        assertThat(chart.serviceProperty("hpcspawner.leadership.enabled")).isEqualTo("true");
        assertThat(chart.serviceProperty("hpcspawner.leadership.lease-name")).isEqualTo("jhub-hpcspawner-spawner-leader");
        assertThat(chart.serviceProperty("hpcspawner.leadership.lease-duration")).isEqualTo("15s");
        assertThat(chart.serviceProperty("hpcspawner.leadership.renew-deadline")).isEqualTo("10s");
        assertThat(chart.serviceProperty("hpcspawner.leadership.retry-period")).isEqualTo("2s");
        assertThat(chart.serviceProperty("hpcspawner.store.directory")).as("no file store").isNull();
        // the service takes these Lease settings (LeadershipWiring checks them the same way at start)
        io.quarkus.runtime.configuration.DurationConverter duration = new io.quarkus.runtime.configuration.DurationConverter();
        io.hpcspawner.leadership.LeaseSettings.of("hpcspawner.leadership.", chart.serviceProperty("hpcspawner.leadership.lease-name"),
                java.util.Optional.empty(), "jhub-hpcspawner-spawner-5d9f-abcde",
                duration.convert(chart.serviceProperty("hpcspawner.leadership.lease-duration")),
                duration.convert(chart.serviceProperty("hpcspawner.leadership.renew-deadline")),
                duration.convert(chart.serviceProperty("hpcspawner.leadership.retry-period")));
    }

    @Test
    void theRoleGrantsTheStoresObjectsAndTheLeaseToTheServicesAccountOnly() {
        RenderedChart chart = RenderedChart.render(STAGING, ha(2));
        JsonNode role = chart.get("Role", SPAWNER);
        assertThat(verbs(role, "hpcspawner.io", "serverrecords"))
                .containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "patch", "delete");
        assertThat(verbs(role, "hpcspawner.io", "serverrecords/status"))
                .containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "patch", "delete");
        assertThat(verbs(role, "", "secrets")).containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "delete");
        assertThat(verbs(role, "", "configmaps")).containsExactlyInAnyOrder("get", "list", "watch", "create", "update", "delete");
        assertThat(verbs(role, "coordination.k8s.io", "leases")).containsExactlyInAnyOrder("get", "create", "update");
        for (JsonNode rule : role.path("rules")) {
            if (rule.path("resources").toString().contains("leases") && rule.path("verbs").toString().contains("update")) {
                assertThat(rule.path("resourceNames").get(0).asText()).isEqualTo("jhub-hpcspawner-spawner-leader");
            }
        }
        assertThat(role.toString()).doesNotContain("\"*\"");

        JsonNode binding = chart.get("RoleBinding", SPAWNER);
        assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(SPAWNER);
        assertThat(binding.path("subjects").get(0).path("name").asText())
                .isEqualTo(chart.podSpecs().get(SPAWNER).path("serviceAccountName").asText());
        assertThat(binding.path("subjects").get(0).path("namespace").asText()).isEqualTo("jupyter");
        assertThat(chart.ofKind("ClusterRole")).as("namespace-scoped").isEmpty();
    }

    @Test
    void theServiceReachesTheApiServerThroughItsNetworkPolicy() {
        RenderedChart chart = RenderedChart.render(STAGING, ha(2));
        JsonNode policy = chart.get("NetworkPolicy", SPAWNER);
        assertThat(policy.path("spec").path("egress").toString())
                .contains("{\"to\":[{\"ipBlock\":{\"cidr\":\"10.96.0.1/32\"}}],\"ports\":[{\"port\":443,\"protocol\":\"TCP\"},{\"port\":6443,\"protocol\":\"TCP\"}]}");

        Map<String, Object> noApi = ha(2);
        noApi.remove("spawner.networkPolicy.kubernetesApi.cidrs[0]");
        assertThatThrownBy(() -> RenderedChart.render(STAGING, noApi))
                .hasMessageContaining("spawner.store.kind kubernetes: the service reaches the Kubernetes API server")
                .hasMessageContaining("spawner.networkPolicy.kubernetesApi.cidrs");
    }

    @Test
    void theFileStoreKeepsOneReplicaItsVolumeAndNoApiAccess() {
        RenderedChart chart = RenderedChart.staging();
        JsonNode pod = chart.podSpecs().get(SPAWNER);
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(pod.path("volumes").findValuesAsText("name")).contains("store");
        assertThat(pod.has("affinity")).as("one replica: nothing to spread").isFalse();
        chart.get("PersistentVolumeClaim", "jhub-hpcspawner-spawner-store");
        assertThat(chart.ofKind("Role")).isEmpty();
        assertThat(chart.ofKind("PodDisruptionBudget")).isEmpty();
        assertThat(chart.serviceProperty("hpcspawner.store.kind")).as("the default").isNull();
        assertThat(chart.serviceProperty("hpcspawner.store.directory")).isEqualTo("/var/lib/hpcspawner/servers");
        assertThat(chart.serviceProperty("hpcspawner.leadership.enabled")).as("one replica always leads").isNull();
    }

    @Test
    void oneReplicaOnTheKubernetesStoreHasNoDisruptionBudgetThatWouldBlockDrains() {
        RenderedChart chart = RenderedChart.render(STAGING, ha(1));
        assertThat(chart.ofKind("PodDisruptionBudget")).isEmpty();
        assertThat(chart.serviceProperty("hpcspawner.leadership.enabled")).isEqualTo("true");
    }

    @Test
    void badHaValuesAreRefused() {
        Map<String, Object> file = new HashMap<>(Map.of("spawner.replicas", 2, "spawner.store.kind", "file"));
        assertThatThrownBy(() -> RenderedChart.render(List.of(), file))
                .hasMessageContaining("at '/spawner/store/kind': value must be 'kubernetes'");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("spawner.store.kind", "etcd")))
                .hasMessageContaining("at '/spawner/store/kind'");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("spawner.replicas", 0)))
                .hasMessageContaining("at '/spawner/replicas'");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("spawner.leaderElection.leaseDuration", "15")))
                .hasMessageContaining("at '/spawner/leaderElection/leaseDuration'");
    }

    /** The verbs a Role grants on one resource of one API group. */
    private static List<String> verbs(JsonNode role, String group, String resource) {
        List<String> verbs = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            if (rule.path("apiGroups").toString().contains("\"" + group + "\"")
                    && rule.path("resources").toString().contains("\"" + resource + "\"")) {
                rule.path("verbs").forEach(v -> verbs.add(v.asText()));
            }
        }
        return verbs;
    }
}
