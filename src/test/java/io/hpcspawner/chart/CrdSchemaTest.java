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
        assertThat(CrdSchemas.all().keySet()).contains("cert-manager.io/v1 Certificate", "monitoring.coreos.com/v1 ServiceMonitor",
                "external-secrets.io/v1 ExternalSecret", "external-secrets.io/v1 SecretStore",
                "generators.external-secrets.io/v1alpha1 Password");
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

    /** The External Secrets objects of secrets.source=externalSecrets, as the chart renders them. */
    @Test
    void externalSecretsObjectsOfTheChartsShapeAreValidAndAMisspellingIsNot() throws Exception {
        YAMLMapper yaml = new YAMLMapper();
        JsonNode store = yaml.readTree("""
                apiVersion: external-secrets.io/v1
                kind: SecretStore
                metadata: {name: jhub-hpcspawner-vault}
                spec:
                  provider:
                    vault:
                      server: https://vault.example.org
                      path: secret
                      version: v2
                      auth:
                        appRole: {path: approle, roleId: aaaa1111, secretRef: {name: vault-approle, key: secret-id}}
                """);
        JsonNode externalSecret = yaml.readTree("""
                apiVersion: external-secrets.io/v1
                kind: ExternalSecret
                metadata: {name: jhub-hpcspawner}
                spec:
                  refreshInterval: 1h
                  secretStoreRef: {kind: SecretStore, name: jhub-hpcspawner-vault}
                  target: {name: jhub-hpcspawner, creationPolicy: Owner}
                  data:
                    - secretKey: keycloak-hub-client-secret
                      remoteRef: {key: jupyter/keycloak, property: hub-client-secret}
                """);
        JsonNode generated = yaml.readTree("""
                apiVersion: external-secrets.io/v1
                kind: ExternalSecret
                metadata: {name: jhub-hpcspawner-generated}
                spec:
                  refreshPolicy: CreatedOnce
                  target:
                    name: jhub-hpcspawner-generated
                    creationPolicy: Orphan
                    deletionPolicy: Retain
                    immutable: true
                    template:
                      engineVersion: v2
                      data: {proxy-token: '{{ index . "proxy-token" | sha256sum }}'}
                  dataFrom:
                    - sourceRef: {generatorRef: {apiVersion: generators.external-secrets.io/v1alpha1, kind: Password, name: jhub-hpcspawner-generated}}
                      rewrite: [{regexp: {source: "^password$", target: proxy-token}}]
                """);
        JsonNode password = yaml.readTree("""
                apiVersion: generators.external-secrets.io/v1alpha1
                kind: Password
                metadata: {name: jhub-hpcspawner-generated}
                spec: {length: 64, symbols: 0, noUpper: false, allowRepeat: true}
                """);
        for (JsonNode object : List.of(store, externalSecret, generated, password)) {
            var schema = CrdSchemas.of(object.path("apiVersion").asText(), object.path("kind").asText()).orElseThrow();
            assertThat(CrdSchemas.validate(schema, object)).as("%s", object.path("kind")).isEmpty();
        }
        ((ObjectNode) externalSecret.path("spec").path("target")).put("creationPolicty", "Owner");
        assertThat(CrdSchemas.validate(CrdSchemas.of("external-secrets.io/v1", "ExternalSecret").orElseThrow(), externalSecret))
                .singleElement().asString().contains("creationPolicty");
        ((ObjectNode) store.path("spec").path("provider").path("vault").path("auth").path("appRole")).put("roleID", "x");
        assertThat(CrdSchemas.validate(CrdSchemas.of("external-secrets.io/v1", "SecretStore").orElseThrow(), store))
                .singleElement().asString().contains("roleID");
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
