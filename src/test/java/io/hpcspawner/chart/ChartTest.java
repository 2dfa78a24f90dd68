package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** What a site admin would notice of chart/: it lints, renders each example, and its objects are safe. */
class ChartTest {

    static Stream<Path> overlays() {
        return RenderedChart.exampleOverlays().stream();
    }

    /** The chart's defaults, and each overlay on site-common.yaml (which alone has no Ingress host). */
    public static Stream<List<Path>> releases() {
        return Stream.concat(Stream.of(List.of()), overlays().map(o -> List.of(RenderedChart.SITE_COMMON, o)));
    }

    @Test
    void lintsStrictWithItsDefaults() {
        LintResult lint = RenderedChart.helm().lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    }

    @Test
    void thereAreExamplesForStagesAndASecondCluster() {
        assertThat(overlays().map(p -> p.getFileName().toString()))
                .contains("staging.yaml", "production.yaml", "cluster2.yaml");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void rendersTheHubTheProxyAndTheServiceForEveryExample(List<Path> valuesFiles) {
        RenderedChart chart = RenderedChart.render(valuesFiles, Map.of());
        assertThat(chart.podSpecs()).containsOnlyKeys("jhub-hpcspawner-hub", "jhub-hpcspawner-proxy", "jhub-hpcspawner-spawner");
        assertThat(chart.find("Service", "jhub-hpcspawner-proxy-api")).isPresent();
        assertThat(chart.find("ConfigMap", "jhub-hpcspawner-spawner")).isPresent();
    }

    @Test
    void appVersionIsTheProjectVersion() throws Exception {
        String pom = Files.readString(Path.of("pom.xml"));
        Matcher version = Pattern.compile("<artifactId>hpcspawner</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertThat(version.find()).isTrue();
        String chartYaml = Files.readString(RenderedChart.CHART.resolve("Chart.yaml"));
        assertThat(chartYaml).contains("appVersion: \"" + version.group(1) + "\"");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void theProxyApiIsNeverBehindTheIngress(List<Path> valuesFiles) {
        RenderedChart chart = RenderedChart.render(valuesFiles, Map.of("ingress.enabled", true, "ingress.hosts[0]", "hub.example.org"));
        List<JsonNode> ingresses = chart.ofKind("Ingress");
        assertThat(ingresses).isNotEmpty();
        for (JsonNode ingress : ingresses) {
            for (JsonNode backend : ingress.findValues("service")) {
                String service = backend.path("name").asText();
                // the service is a backend for its callback path only (IngressCallbackTest)
                assertThat(service).as("Ingress backend").isIn("jhub-hpcspawner-proxy-public", "jhub-hpcspawner-spawner");
                for (JsonNode port : chart.get("Service", service).path("spec").path("ports")) {
                    assertThat(port.path("port").asInt()).as("port of %s", service).isNotEqualTo(8001);
                    assertThat(port.path("targetPort").asText()).as("target of %s", service).isNotIn("api", "8001");
                }
            }
        }
        JsonNode proxyApi = chart.get("Service", "jhub-hpcspawner-proxy-api");
        assertThat(proxyApi.path("spec").path("type").asText()).isEqualTo("ClusterIP");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void everyContainerRunsAsNonRootWithoutCapabilitiesOnAReadOnlyRootAndIsProbed(List<Path> valuesFiles) {
        RenderedChart chart = RenderedChart.render(valuesFiles, Map.of());
        chart.podSpecs().forEach((workload, pod) -> {
            JsonNode podContext = pod.path("securityContext");
            for (JsonNode container : pod.path("containers")) {
                String where = workload + "/" + container.path("name").asText();
                JsonNode context = container.path("securityContext");
                boolean nonRoot = context.path("runAsNonRoot").asBoolean(podContext.path("runAsNonRoot").asBoolean(false));
                assertThat(nonRoot).as("%s runAsNonRoot", where).isTrue();
                assertThat(context.path("runAsUser").asInt(podContext.path("runAsUser").asInt(0))).as("%s runAsUser", where).isPositive();
                assertThat(context.path("allowPrivilegeEscalation").asBoolean(true)).as("%s allowPrivilegeEscalation", where).isFalse();
                assertThat(context.path("readOnlyRootFilesystem").asBoolean(false)).as("%s readOnlyRootFilesystem", where).isTrue();
                assertThat(texts(context.path("capabilities").path("drop"))).as("%s capabilities.drop", where).containsExactly("ALL");
                String seccomp = context.path("seccompProfile").path("type").asText(podContext.path("seccompProfile").path("type").asText());
                assertThat(seccomp).as("%s seccompProfile", where).isEqualTo("RuntimeDefault");
                assertThat(container.has("livenessProbe")).as("%s livenessProbe", where).isTrue();
                assertThat(container.has("readinessProbe")).as("%s readinessProbe", where).isTrue();
                assertThat(container.has("imagePullPolicy")).as("%s imagePullPolicy (Kubernetes' default)", where).isFalse();
            }
        });
    }

    @Test
    void theSitesSecretIsMountedReadOnlyWhereTheSettingsLook() {
        RenderedChart chart = RenderedChart.staging();
        JsonNode pod = chart.get("Deployment", "jhub-hpcspawner-spawner").path("spec").path("template").path("spec");
        assertThat(pod.path("volumes").toString()).contains("{\"name\":\"site-secret\",\"secret\":{\"secretName\":\"hpcspawner-site\"");
        assertThat(pod.path("containers").get(0).path("volumeMounts").toString())
                .contains("{\"name\":\"site-secret\",\"mountPath\":\"/var/run/secrets/hpcspawner\",\"readOnly\":true}");
        String properties = chart.get("ConfigMap", "jhub-hpcspawner-spawner").path("data").path("hpcspawner.properties").asText();
        assertThat(properties).contains("hpcspawner.systems.daint.jwt-key-file=/var/run/secrets/hpcspawner/daint-jwt.key");
        assertThat(RenderedChart.render().get("Deployment", "jhub-hpcspawner-spawner").toString()).doesNotContain("site-secret");
    }

    @Test
    void aStageRemovesASharedSystemWithNull() {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("cluster2.yaml"));
        String properties = chart.get("ConfigMap", "jhub-hpcspawner-spawner").path("data").path("hpcspawner.properties").asText();
        assertThat(properties).contains("hpcspawner.systems.eiger.backend=firecrest-v2").doesNotContain("systems.daint");
    }

    @Test
    void theServiceOnTheFileStoreRunsOneReplicaAndRefusesMore() {
        RenderedChart chart = RenderedChart.staging();
        JsonNode spawner = chart.get("Deployment", "jhub-hpcspawner-spawner");
        assertThat(spawner.path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(spawner.path("spec").path("strategy").path("type").asText()).isEqualTo("Recreate");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("spawner.replicas", 2)))
                .hasMessageContaining("at '/spawner/store/kind': value must be 'kubernetes'");
    }

    @Test
    void aMisspelledKeyFailsNamingTheKey() {
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("hub.cookiSecret", "x")))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining("at '/hub': additional properties 'cookiSecret' not allowed");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("ingres.enabled", true)))
                .hasMessageContaining("at '': additional properties 'ingres' not allowed");
    }

    @Test
    void rendersAreStableBecauseTheTestValuesPinEveryGeneratedSecret() {
        assertThat(RenderedChart.staging().text)
                .isEqualTo(RenderedChart.staging().text);
    }

    @Test
    void secretsReachThePodsFromTheSecretNeverInline() throws Exception {
        RenderedChart chart = RenderedChart.staging();
        Set<String> pinned = Set.of("test-proxy-token-aaaa1111", "bbbb2222bbbb2222", "cccc3333cccc3333", "test-hub-token-dddd4444");
        for (String kind : List.of("Deployment", "ConfigMap", "Ingress", "Service")) {
            for (JsonNode object : chart.ofKind(kind)) {
                for (String secret : pinned) {
                    assertThat(object.toString()).as("%s %s", kind, object.path("metadata").path("name")).doesNotContain(secret);
                }
            }
        }
        JsonNode hub = chart.get("Deployment", "jhub-hpcspawner-hub").path("spec").path("template").path("spec");
        List<String> fromSecret = new ArrayList<>();
        for (JsonNode env : hub.path("containers").get(0).path("env")) {
            if (env.path("valueFrom").has("secretKeyRef")) {
                fromSecret.add(env.path("name").asText());
            }
        }
        assertThat(fromSecret).contains("CONFIGPROXY_AUTH_TOKEN", "JPY_COOKIE_SECRET", "JUPYTERHUB_CRYPT_KEY", "HPCSPAWNER_TOKEN");
    }

    @Test
    void theServiceConfigurationIsASiteFileFromTheValues() {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("production.yaml"));
        String properties = chart.get("ConfigMap", "jhub-hpcspawner-spawner").path("data").path("hpcspawner.properties").asText();
        assertThat(properties.lines()).as("a trailing blank is part of a property's value")
                .noneMatch(line -> line.endsWith(" ") || line.endsWith("\t"));
        assertThat(properties.lines()).contains(
                "hpcspawner.systems.daint.backend=slurmrestd",
                "hpcspawner.systems.daint.environment.PATH=/opt/jupyter/bin:/usr/bin:/bin",
                "hpcspawner.systems.daint.host-template={node}.daint.example.org",
                "hpcspawner.profiles.gpu.sbatch-options=--constraint=gpu,--gpus-per-node=1",
                "hpcspawner.profiles.small.cpus=4",
                "hpcspawner.limits.servers-per-user=4",
                "hpcspawner.job-name-prefix=jhprod");
        JsonNode env = chart.get("Deployment", "jhub-hpcspawner-spawner").path("spec").path("template").path("spec")
                .path("containers").get(0).path("env");
        assertThat(env.toString()).contains("HPCSPAWNER_CONFIG_FILE", "/etc/hpcspawner/hpcspawner.properties");
    }

    @Test
    void reloaderRollsTheHubAndTheServiceButNotTheProxy() {
        RenderedChart chart = RenderedChart.staging();
        JsonNode hub = chart.get("Deployment", "jhub-hpcspawner-hub").path("metadata").path("annotations");
        assertThat(hub.path("configmap.reloader.stakater.com/reload").asText()).isEqualTo("jhub-hpcspawner-hub");
        assertThat(hub.path("secret.reloader.stakater.com/reload").asText()).isEqualTo("jhub-hpcspawner");
        JsonNode spawner = chart.get("Deployment", "jhub-hpcspawner-spawner").path("metadata").path("annotations");
        assertThat(spawner.path("configmap.reloader.stakater.com/reload").asText()).isEqualTo("jhub-hpcspawner-spawner");
        assertThat(spawner.path("secret.reloader.stakater.com/reload").asText()).isEqualTo("jhub-hpcspawner,hpcspawner-site");
        JsonNode proxy = chart.get("Deployment", "jhub-hpcspawner-proxy");
        assertThat(proxy.toString()).doesNotContain("reloader.stakater.com");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("releases")
    void onlyTheHubReachesTheProxyApiAndTheService(List<Path> valuesFiles) {
        RenderedChart chart = RenderedChart.render(valuesFiles, Map.of());
        JsonNode hubPods = chart.get("Deployment", "jhub-hpcspawner-hub").path("spec").path("selector").path("matchLabels");
        Map<String, Object> only = Map.of("podSelector", Map.of("matchLabels", hubPods));
        JsonNode onlyHub = new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(List.of(only));

        JsonNode proxy = chart.get("NetworkPolicy", "jhub-hpcspawner-proxy").path("spec");
        assertThat(proxy.path("podSelector").path("matchLabels").path("app.kubernetes.io/component").asText()).isEqualTo("proxy");
        for (JsonNode rule : proxy.path("ingress")) {
            if (rule.path("ports").toString().contains("\"api\"")) {
                assertThat(rule.path("from")).as("who reaches the proxy API").isEqualTo(onlyHub);
            } else {
                assertThat(rule.path("ports").toString()).as("open ports of the proxy").isEqualTo("[{\"port\":\"http\",\"protocol\":\"TCP\"}]");
            }
        }
        JsonNode spawner = chart.get("NetworkPolicy", "jhub-hpcspawner-spawner").path("spec");
        // the first rule: the hub; the others (the Ingress controller for callbacks) in NetworkPolicyTest
        assertThat(spawner.path("ingress").get(0).path("from")).as("who reaches the service's API").isEqualTo(onlyHub);
        assertThat(chart.find("NetworkPolicy", "jhub-hpcspawner-hub")).isPresent();
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(n -> texts.add(n.asText()));
        return texts;
    }
}
