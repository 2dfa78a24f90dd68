package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compute nodes post their ready callbacks to {@code <public-url>/api/v1/callback/<id>}: the Ingress
 * routes that path, and nothing else of the service, on the host the service's public URL names.
 */
class IngressCallbackTest {

    private static final String SPAWNER = "jhub-hpcspawner-spawner";
    private static final String CALLBACK = "/api/v1/callback/";

    static Stream<List<Path>> examples() {
        return RenderedChart.exampleOverlays().stream().map(o -> List.of(RenderedChart.SITE_COMMON, o));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void theIngressRoutesTheCallbackPathOfThePublicUrlsHostToTheServiceAndNothingElseOfIt(List<Path> valuesFiles) {
        RenderedChart chart = RenderedChart.render(valuesFiles, Map.of());
        URI publicUrl = URI.create(chart.serviceProperty("hpcspawner.public-url"));
        assertThat(publicUrl.getScheme()).isEqualTo("https");
        assertThat(publicUrl.getPath()).as("the service answers at the root of its URL").isEmpty();

        List<String> routesToService = new ArrayList<>();
        for (JsonNode rule : chart.get("Ingress", "jhub-hpcspawner").path("spec").path("rules")) {
            for (JsonNode path : rule.path("http").path("paths")) {
                JsonNode service = path.path("backend").path("service");
                if (SPAWNER.equals(service.path("name").asText())) {
                    routesToService.add(rule.path("host").asText() + " " + path.path("pathType").asText() + " "
                            + path.path("path").asText() + " -> " + service.path("port").path("name").asText());
                }
            }
        }
        assertThat(routesToService).containsExactly(publicUrl.getHost() + " Prefix " + CALLBACK + " -> http");
        assertThat(tlsHosts(chart)).as("the callback host is served with TLS").contains(publicUrl.getHost());
    }

    @Test
    void theHubsHostCarriesTheCallbackByDefault() {
        RenderedChart chart = RenderedChart.staging();
        assertThat(chart.serviceProperty("hpcspawner.public-url")).isEqualTo("https://jupyter-staging.example.org");
        assertThat(chart.get("Ingress", "jhub-hpcspawner").path("spec").path("rules")).hasSize(1);
    }

    @Test
    void aCallbackHostOfItsOwnGetsItsOwnTlsEntryAndCertificate() {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("cluster2.yaml"));
        assertThat(chart.serviceProperty("hpcspawner.public-url")).isEqualTo("https://jupyter-eiger-callback.example.org");
        JsonNode tls = chart.get("Ingress", "jhub-hpcspawner").path("spec").path("tls");
        assertThat(tls.toString()).contains(
                "{\"hosts\":[\"jupyter-eiger.example.org\"],\"secretName\":\"jhub-hpcspawner-tls\"}",
                "{\"hosts\":[\"jupyter-eiger-callback.example.org\"],\"secretName\":\"jhub-hpcspawner-callback-tls\"}");
        JsonNode certificate = chart.get("Certificate", "jhub-hpcspawner-callback").path("spec");
        assertThat(certificate.path("secretName").asText()).isEqualTo("jhub-hpcspawner-callback-tls");
        assertThat(certificate.path("dnsNames").toString()).isEqualTo("[\"jupyter-eiger-callback.example.org\"]");
        assertThat(chart.get("Certificate", "jhub-hpcspawner").path("spec").path("dnsNames").toString())
                .isEqualTo("[\"jupyter-eiger.example.org\"]");
    }

    @Test
    void anExplicitPublicUrlWins() {
        RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("staging.yaml")),
                Map.of("spawner.publicUrl", "https://callbacks.example.org"));
        assertThat(chart.serviceProperty("hpcspawner.public-url")).isEqualTo("https://callbacks.example.org");
    }

    @Test
    void withoutAnIngressThereIsNoPublicUrlUnlessGiven() {
        assertThat(RenderedChart.render().serviceProperty("hpcspawner.public-url")).isNull();
    }

    private static List<String> tlsHosts(RenderedChart chart) {
        List<String> hosts = new ArrayList<>();
        chart.get("Ingress", "jhub-hpcspawner").path("spec").path("tls").forEach(t -> t.path("hosts").forEach(h -> hosts.add(h.asText())));
        return hosts;
    }
}
