package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Who reaches each component and what each component reaches, as the example site configures it:
 * the Ingress controller only the routed ports, Prometheus only the metrics ports, the proxy the
 * compute nodes, the service its backends, every component DNS.
 */
class NetworkPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode siteCommon;

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.hpcspawner.chart.ChartTest#releases")
    void everyComponentHasAPolicyForBothDirections(List<Path> valuesFiles) {
        RenderedChart chart = RenderedChart.render(valuesFiles, Map.of());
        assertThat(chart.ofKind("NetworkPolicy")).hasSize(3);
        for (JsonNode policy : chart.ofKind("NetworkPolicy")) {
            assertThat(policy.path("spec").path("policyTypes").toString()).as("%s", policy.path("metadata").path("name"))
                    .isEqualTo("[\"Ingress\",\"Egress\"]");
        }
    }

    @Test
    void theIngressControllerReachesOnlyTheRoutedPortsAndPrometheusOnlyTheMetricsPorts() throws Exception {
        RenderedChart chart = RenderedChart.staging();
        JsonNode controller = site().path("ingress").path("networkPolicyPeers");
        JsonNode prometheus = site().path("metrics").path("networkPolicyPeers");
        JsonNode hub = peers(chart, "hub");
        JsonNode proxy = peers(chart, "proxy");
        JsonNode spawner = peers(chart, "spawner");

        assertThat(ingressFrom(chart, "proxy")).containsExactlyInAnyOrder(
                new Access(controller, "http"), new Access(hub, "api"));
        assertThat(ingressFrom(chart, "spawner")).containsExactlyInAnyOrder(
                new Access(hub, "http"), new Access(controller, "http"), new Access(prometheus, "management"));
        JsonNode proxyOrService = JSON.createArrayNode().add(proxy.get(0)).add(spawner.get(0));
        assertThat(ingressFrom(chart, "hub")).containsExactlyInAnyOrder(
                new Access(proxyOrService, "http"), new Access(prometheus, "http"));
    }

    @Test
    void withoutPeersTheRoutedPortsAreOpenAndTheMetricsPortsClosed() {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of("ingress.enabled", true, "ingress.hosts[0]", "hub.example.org"));
        JsonNode anyone = JSON.missingNode();
        assertThat(ingressFrom(chart, "spawner")).containsExactlyInAnyOrder(
                new Access(peers(chart, "hub"), "http"), new Access(anyone, "http"));
        assertThat(ingressFrom(chart, "proxy")).contains(new Access(anyone, "http"));
        assertThat(ingressFrom(chart, "hub")).hasSize(1);
        RenderedChart noIngress = RenderedChart.render();
        assertThat(ingressFrom(noIngress, "spawner")).as("no route, no callbacks").containsExactly(new Access(peers(noIngress, "hub"), "http"));
    }

    @Test
    void eachComponentReachesWhatItTalksTo() throws Exception {
        RenderedChart chart = RenderedChart.staging();
        JsonNode computeNodes = rule("{to: [{ipBlock: {cidr: 10.100.0.0/16}}], ports: [{port: 49152, endPort: 65000, protocol: TCP}]}");
        JsonNode kubeDns = rule("{to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}],"
                + " ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]}");
        JsonNode publicIps = rule("{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.169.254/32]}}]}");
        JsonNode backends = rule("{to: [{ipBlock: {cidr: 172.20.0.0/16}}], ports: [{port: 6820, protocol: TCP}, {port: 443, protocol: TCP}]}");

        assertThat(egress(chart, "hub")).contains(toPods(chart, "proxy", 8001), toPods(chart, "spawner", 8090), computeNodes, kubeDns, publicIps);
        assertThat(egress(chart, "proxy")).contains(toPods(chart, "hub", 8081), computeNodes, kubeDns).doesNotContain(publicIps);
        assertThat(egress(chart, "spawner")).contains(toPods(chart, "hub", 8081), kubeDns, publicIps, backends).doesNotContain(computeNodes);
    }

    @Test
    void aSitesOwnEgressRulesAndFlagsApply() throws Exception {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of(
                "spawner.networkPolicy.egressAllowRules.nonPrivateIPs", false,
                "spawner.networkPolicy.egressAllowRules.dnsPortsPrivateIPs", false,
                "spawner.networkPolicy.egress[0].to[0].ipBlock.cidr", "192.0.2.10/32"));
        assertThat(egress(chart, "spawner").toString()).doesNotContain("0.0.0.0/0", "10.0.0.0/8");
        assertThat(egress(chart, "spawner")).contains(rule("{to: [{ipBlock: {cidr: 192.0.2.10/32}}]}"));
    }

    @Test
    void withKeycloakTokensTheServiceReachesTheRealmForItsSigningKeys() throws Exception {
        Map<String, Object> bearer = new HashMap<>(Map.of("keycloak.url", "https://auth.example.org/realms/hpc",
                "spawner.keycloakBearer.enabled", true, "spawner.keycloakBearer.audience", "hpcspawner-api"));
        JsonNode publicIps = rule("{to: [{ipBlock: {cidr: 0.0.0.0/0, except: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.169.254/32]}}]}");
        assertThat(egress(RenderedChart.render(List.of(), bearer), "spawner")).as("a public Keycloak").contains(publicIps);

        bearer.put("spawner.networkPolicy.egressAllowRules.nonPrivateIPs", false);
        assertThatThrownBy(() -> RenderedChart.render(List.of(), bearer)).hasMessageContaining("spawner.keycloakBearer.enabled:"
                + " the service fetches the signing keys (JWKS) of keycloak.url, but spawner.networkPolicy lets it reach no address");

        bearer.put("spawner.networkPolicy.backends.cidrs[0]", "172.20.0.0/16");
        assertThat(egress(RenderedChart.render(List.of(), bearer), "spawner")).as("Keycloak on the site network")
                .contains(rule("{to: [{ipBlock: {cidr: 172.20.0.0/16}}]}")).doesNotContain(publicIps);
    }

    /** One ingress rule: who (a peers list; missing: anyone) reaches which named port. */
    record Access(JsonNode from, String port) {
    }

    private static List<Access> ingressFrom(RenderedChart chart, String component) {
        List<Access> access = new ArrayList<>();
        for (JsonNode rule : policy(chart, component).path("ingress")) {
            for (JsonNode port : rule.path("ports")) {
                access.add(new Access(rule.path("from"), port.path("port").asText()));
            }
        }
        return access;
    }

    private static List<JsonNode> egress(RenderedChart chart, String component) {
        List<JsonNode> rules = new ArrayList<>();
        policy(chart, component).path("egress").forEach(rules::add);
        return rules;
    }

    /** An egress rule to the pods of one component on one port. */
    private static JsonNode toPods(RenderedChart chart, String component, int port) {
        return JSON.valueToTree(Map.of("to", peers(chart, component), "ports", List.of(Map.of("port", port, "protocol", "TCP"))));
    }

    /** A rule written in YAML flow style (key order does not matter to JsonNode equality). */
    private static JsonNode rule(String yaml) throws Exception {
        return new YAMLMapper().readTree(yaml);
    }

    private static JsonNode policy(RenderedChart chart, String component) {
        return chart.get("NetworkPolicy", "jhub-hpcspawner-" + component).path("spec");
    }

    /** A peers list selecting the pods of one component (its Deployment's selector). */
    private static JsonNode peers(RenderedChart chart, String component) {
        JsonNode labels = chart.get("Deployment", "jhub-hpcspawner-" + component).path("spec").path("selector").path("matchLabels");
        return JSON.valueToTree(List.of(Map.of("podSelector", Map.of("matchLabels", labels))));
    }

    private static synchronized JsonNode site() throws Exception {
        if (siteCommon == null) {
            siteCommon = new YAMLMapper().readTree(RenderedChart.SITE_COMMON.toFile());
        }
        return siteCommon;
    }
}
