package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rendered Kubernetes object read as its API type (fabric8's model), or checked against its
 * CRD's schema (CrdSchemas) for custom resources: a misspelled field, which the API server would drop
 * or refuse, is found and named. A kind with neither fails the test.
 */
class KubernetesFieldsTest {

    private static final Map<String, Class<?>> TYPES = Map.ofEntries(
            Map.entry("Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class),
            Map.entry("Service", io.fabric8.kubernetes.api.model.Service.class),
            Map.entry("ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class),
            Map.entry("Secret", io.fabric8.kubernetes.api.model.Secret.class),
            Map.entry("PersistentVolumeClaim", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class),
            Map.entry("Ingress", io.fabric8.kubernetes.api.model.networking.v1.Ingress.class),
            Map.entry("NetworkPolicy", io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class),
            Map.entry("ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class),
            Map.entry("Role", io.fabric8.kubernetes.api.model.rbac.Role.class),
            Map.entry("RoleBinding", io.fabric8.kubernetes.api.model.rbac.RoleBinding.class),
            Map.entry("PodDisruptionBudget", io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class));
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    static Stream<List<Path>> releases() {
        return ChartTest.releases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void everyObjectHasOnlyFieldsOfItsKubernetesType(List<Path> valuesFiles) throws Exception {
        // optional kinds rendered too: the ServiceMonitors (offline, the CRD is never detected)
        RenderedChart chart = RenderedChart.render(valuesFiles, Map.of("metrics.serviceMonitor.enabled", true));
        assertThat(unknownFields(chart)).isEmpty();
    }

    @Test
    void theSeveralReplicasShapeHasOnlyFieldsOfItsKubernetesTypes() throws Exception {
        RenderedChart chart = RenderedChart.render(SeveralReplicasTest.STAGING, SeveralReplicasTest.ha(3));
        assertThat(chart.ofKind("Role")).hasSize(1);
        assertThat(chart.ofKind("PodDisruptionBudget")).hasSize(1);
        assertThat(unknownFields(chart)).isEmpty();
    }

    @Test
    void aMisspelledFieldInAPassThroughValueIsNamed() throws Exception {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of("hub.containerSecurityContext.runAsNonroot", true));
        assertThat(unknownFields(chart)).containsExactly(
                "Deployment jhub-hpcspawner-hub: spec.template.spec.containers[0].securityContext.runAsNonroot");
    }

    private static List<String> unknownFields(RenderedChart chart) throws Exception {
        List<String> unknown = new ArrayList<>();
        for (JsonNode object : chart.objects) {
            String kind = object.path("kind").asText();
            String apiVersion = object.path("apiVersion").asText();
            var crd = CrdSchemas.of(apiVersion, kind);
            if (crd.isPresent()) {
                String name = kind + " " + object.path("metadata").path("name").asText() + ": ";
                CrdSchemas.validate(crd.get(), object).forEach(m -> unknown.add(name + m));
                continue;
            }
            assertThat(TYPES).as("a fabric8 type or a CRD schema (src/test/resources/chart/crds) for %s %s", apiVersion, kind)
                    .containsKey(kind);
            Object typed = JSON.treeToValue(object, TYPES.get(kind));
            collect(typed, kind + " " + object.path("metadata").path("name").asText() + ": ", "", unknown);
        }
        return unknown;
    }

    /** Walks the fabric8 object graph; unknown keys are kept in each object's additionalProperties. */
    private static void collect(Object value, String object, String path, List<String> unknown)
            throws IllegalAccessException, InvocationTargetException {
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collect(item, object, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                collect(e.getValue(), object, path + "." + e.getKey(), unknown);
            }
            return;
        }
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object child = getter.invoke(value);
            if (getter.getName().equals("getAdditionalProperties")) {
                for (Object key : ((Map<?, ?>) child).keySet()) {
                    unknown.add(object + (path.isEmpty() ? "" : path.substring(1) + ".") + key);
                }
            } else {
                String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
                collect(child, object, path + "." + field, unknown);
            }
        }
    }
}
