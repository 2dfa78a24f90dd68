package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The CRD schemas kept as fixtures refuse what the API server refuses: a misspelled field of a
 * custom resource is named, a missing required one too.
 */
class CrdSchemaTest {

    @Test
    void theFixturesServeTheKindsTheChartRenders() {
        assertThat(CrdSchemas.all().keySet()).contains("cert-manager.io/v1 Certificate", "monitoring.coreos.com/v1 ServiceMonitor");
        assertThat(Files.exists(CrdSchemas.DIRECTORY.resolve("README.md"))).as("source, version and licence of the fixtures").isTrue();
    }

    @Test
    void aMisspelledFieldOfACertificateIsNamed() {
        RenderedChart chart = RenderedChart.staging();
        ObjectNode certificate = (ObjectNode) chart.get("Certificate", "jhub-hpcspawner").deepCopy();
        var schema = CrdSchemas.of("cert-manager.io/v1", "Certificate").orElseThrow();
        assertThat(CrdSchemas.validate(schema, certificate)).isEmpty();

        ((ObjectNode) certificate.path("spec").path("issuerRef")).put("knd", "ClusterIssuer");
        assertThat(CrdSchemas.validate(schema, certificate)).singleElement().asString().contains("knd").contains("issuerRef");
        ((ObjectNode) certificate.path("spec").path("issuerRef")).remove("knd");
        ((ObjectNode) certificate.path("spec")).remove("secretName");
        assertThat(CrdSchemas.validate(schema, certificate)).singleElement().asString().contains("secretName");
    }

    @Test
    void aServiceMonitorEndpointWithAnUnknownFieldIsRefused() {
        RenderedChart chart = RenderedChart.render(List.of(), Map.of("metrics.serviceMonitor.enabled", true));
        ObjectNode monitor = (ObjectNode) chart.get("ServiceMonitor", "jhub-hpcspawner-hub").deepCopy();
        var schema = CrdSchemas.of("monitoring.coreos.com/v1", "ServiceMonitor").orElseThrow();
        assertThat(CrdSchemas.validate(schema, monitor)).isEmpty();
        ((ObjectNode) monitor.path("spec").path("endpoints").get(0)).put("bearerToken", "x");
        assertThat(CrdSchemas.validate(schema, monitor)).singleElement().asString().contains("bearerToken");
    }

    @Test
    void fieldsTheCrdKeepsUnknownStayAllowed() throws Exception {
        JsonNode openApi = new YAMLMapper().readTree("""
                type: object
                properties:
                  spec:
                    type: object
                    properties:
                      known: {type: string}
                      template: {type: object, x-kubernetes-preserve-unknown-fields: true, properties: {a: {type: string}}}
                """);
        var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(CrdSchemas.strict(openApi));
        JsonNode ok = new YAMLMapper().readTree("spec: {known: x, template: {a: y, anything: z}}");
        JsonNode bad = new YAMLMapper().readTree("spec: {known: x, unknown: z}");
        assertThat(CrdSchemas.validate(schema, ok)).isEmpty();
        assertThat(CrdSchemas.validate(schema, bad)).singleElement().asString().contains("unknown");
    }
}
