package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * secrets.source (chart | existingSecret | externalSecrets) and spawner.vault: every workload reads
 * the same keys, only the Secret that holds them changes; no value is written anywhere but the
 * chart's own Secret; Reloader watches the Secrets actually used.
 */
class SecretsSourcesTest {

    static final Path STAGING = RenderedChart.EXAMPLES.resolve("staging.yaml");        // chart
    static final Path CLUSTER2 = RenderedChart.EXAMPLES.resolve("cluster2.yaml");      // existingSecret
    static final Path PRODUCTION = RenderedChart.EXAMPLES.resolve("production.yaml");  // externalSecrets + generateMissing
    static final Path SERVICE_VAULT = Path.of("src/test/resources/chart/service-vault.yaml");

    /** Every value of pinned-secrets.yaml. */
    static final List<String> PINNED = List.of("test-proxy-token-aaaa1111", "bbbb2222bbbb2222", "cccc3333cccc3333",
            "test-hub-token-dddd4444", "test-hub-client-secret-ffff6666", "test-service-client-secret-gggg7777",
            "ZmFrZS10b2tlbi1rZXktZWVlZTU1NTVlZWVlNTU1NTY=", "test-metrics-token-hhhh8888", "test-health-check-token-iiii9999");

    @Test
    void chartSourceKeepsEveryKeyInTheChartsSecret() {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, STAGING);

        assertThat(dataKeys(chart.get("Secret", "jhub-hpcspawner"))).containsExactly("cookie-secret", "crypt-key",
                "hub-token", "hub-values.json", "keycloak-hub-client-secret", "keycloak-service-client-secret",
                "metrics-token", "proxy-token", "token-encryption-key");
        assertThat(decoded(chart, "keycloak-hub-client-secret")).isEqualTo("test-hub-client-secret-ffff6666");
        assertThat(secretRefs(chart, "jhub-hpcspawner-hub")).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "CONFIGPROXY_AUTH_TOKEN", "jhub-hpcspawner/proxy-token",
                "HPCSPAWNER_METRICS_TOKEN", "jhub-hpcspawner/metrics-token",
                "HPCSPAWNER_TOKEN", "jhub-hpcspawner/hub-token",
                "JPY_COOKIE_SECRET", "jhub-hpcspawner/cookie-secret",
                "JUPYTERHUB_CRYPT_KEY", "jhub-hpcspawner/crypt-key",
                "KEYCLOAK_HUB_CLIENT_SECRET", "jhub-hpcspawner/keycloak-hub-client-secret")));
        assertThat(credentialsVolume(chart).path("secretName").asText()).isEqualTo("jhub-hpcspawner");
        assertThat(chart.ofKind("ExternalSecret")).isEmpty();
    }

    @Test
    void existingSecretSourceRendersNoKeysAndReferencesTheAdminsSecret() {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, CLUSTER2);

        // the chart's Secret keeps only what the hub's config file reads
        assertThat(dataKeys(chart.get("Secret", "jhub-hpcspawner"))).containsExactly("hub-values.json");
        assertThat(secretRefs(chart, "jhub-hpcspawner-hub").values())
                .allSatisfy(ref -> assertThat(ref).startsWith("jhub-eiger-credentials/"));
        assertThat(secretRefs(chart, "jhub-hpcspawner-proxy")).containsExactly(Map.entry("CONFIGPROXY_AUTH_TOKEN", "jhub-eiger-credentials/proxy-token"));
        assertThat(secretRefs(chart, "jhub-hpcspawner-spawner")).containsExactly(Map.entry("HPCSPAWNER_AUTH_HUB_TOKEN", "jhub-eiger-credentials/hub-token"));
        assertThat(credentialsVolume(chart).path("secretName").asText()).isEqualTo("jhub-eiger-credentials");
        assertThat(chart.ofKind("ExternalSecret")).isEmpty();
    }

    @Test
    void externalSecretsSourceMakesV1ObjectsFromTheValuesAndGeneratesTheMissingTokensOnce() {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, PRODUCTION);

        assertThat(chart.text).doesNotContain("v1beta1");
        assertThat(dataKeys(chart.get("Secret", "jhub-hpcspawner"))).containsExactly("hub-values.json");

        JsonNode store = chart.get("SecretStore", "jhub-hpcspawner-vault");
        assertThat(store.path("apiVersion").asText()).isEqualTo("external-secrets.io/v1");
        assertThat(store.at("/spec/provider/vault/server").asText()).isEqualTo("https://vault.example.org:8200");
        assertThat(store.at("/spec/provider/vault/path").asText()).isEqualTo("secret");
        assertThat(store.at("/spec/provider/vault/version").asText()).isEqualTo("v2");
        assertThat(store.at("/spec/provider/vault/auth/appRole/roleId").asText()).isEqualTo("11111111-2222-3333-4444-555555555555");
        assertThat(store.at("/spec/provider/vault/auth/appRole/secretRef").toString())
                .isEqualTo("{\"name\":\"jhub-vault-approle\",\"key\":\"secret-id\"}");

        JsonNode fromVault = chart.get("ExternalSecret", "jhub-hpcspawner-credentials");
        assertThat(fromVault.path("apiVersion").asText()).isEqualTo("external-secrets.io/v1");
        assertThat(fromVault.at("/spec/refreshInterval").asText()).isEqualTo("1h");
        assertThat(fromVault.at("/spec/secretStoreRef").toString()).isEqualTo("{\"kind\":\"SecretStore\",\"name\":\"jhub-hpcspawner-vault\"}");
        assertThat(fromVault.at("/spec/target/name").asText()).isEqualTo("jhub-hpcspawner-credentials");
        List<String> data = new ArrayList<>();
        fromVault.at("/spec/data").forEach(d -> data.add(d.path("secretKey").asText() + "=" + d.at("/remoteRef/key").asText()
                + "#" + d.at("/remoteRef/property").asText()));
        assertThat(data).containsExactly(
                "keycloak-hub-client-secret=hpcspawner/production/keycloak#hub-client-secret",
                "keycloak-service-client-secret=hpcspawner/production/keycloak#service-client-secret",
                "token-encryption-key=hpcspawner/production/service#token-encryption-key");

        JsonNode generated = chart.get("ExternalSecret", "jhub-hpcspawner-generated");
        assertThat(generated.at("/spec/refreshPolicy").asText()).isEqualTo("CreatedOnce");
        assertThat(generated.at("/spec/target/creationPolicy").asText()).isEqualTo("Orphan");
        assertThat(generated.at("/spec/target/immutable").asBoolean()).isTrue();
        assertThat(fieldNames(generated.at("/spec/target/template/data")))
                .containsExactly("cookie-secret", "crypt-key", "hub-token", "metrics-token", "proxy-token");
        // JupyterHub reads the cookie secret and the crypt key as hex
        assertThat(generated.at("/spec/target/template/data/cookie-secret").asText()).isEqualTo("{{ index . \"cookie-secret\" | sha256sum }}");
        generated.at("/spec/dataFrom").forEach(from -> assertThat(from.at("/sourceRef/generatorRef").toString()).isEqualTo(
                "{\"apiVersion\":\"generators.external-secrets.io/v1alpha1\",\"kind\":\"Password\",\"name\":\"jhub-hpcspawner-generated\"}"));
        assertThat(chart.get("Password", "jhub-hpcspawner-generated").path("apiVersion").asText())
                .isEqualTo("generators.external-secrets.io/v1alpha1");

        // the workloads read each key from the Secret that holds it
        Map<String, String> hub = secretRefs(chart, "jhub-hpcspawner-hub");
        assertThat(hub).containsEntry("JPY_COOKIE_SECRET", "jhub-hpcspawner-generated/cookie-secret")
                .containsEntry("KEYCLOAK_HUB_CLIENT_SECRET", "jhub-hpcspawner-credentials/keycloak-hub-client-secret");
        assertThat(credentialsVolume(chart).path("secretName").asText()).isEqualTo("jhub-hpcspawner-credentials");
    }

    @Test
    void aKeyGivenInVaultIsNotGenerated() {
        RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, PRODUCTION), Map.of(
                "secrets.externalSecrets.remoteRefs.proxy-token.key", "hpcspawner/production/hub",
                "secrets.externalSecrets.remoteRefs.proxy-token.property", "proxy-token"));

        assertThat(fieldNames(chart.get("ExternalSecret", "jhub-hpcspawner-generated").at("/spec/target/template/data")))
                .containsExactly("cookie-secret", "crypt-key", "hub-token", "metrics-token");
        assertThat(secretRefs(chart, "jhub-hpcspawner-proxy")).containsExactly(
                Map.entry("CONFIGPROXY_AUTH_TOKEN", "jhub-hpcspawner-credentials/proxy-token"));
    }

    @Test
    void anExistingClusterSecretStoreIsReferencedNotMade() {
        RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, PRODUCTION), Map.of(
                "secrets.externalSecrets.secretStore.create", false,
                "secrets.externalSecrets.secretStore.kind", "ClusterSecretStore",
                "secrets.externalSecrets.secretStore.name", "vault-platform"));

        assertThat(chart.ofKind("SecretStore")).isEmpty();
        assertThat(chart.get("ExternalSecret", "jhub-hpcspawner-credentials").at("/spec/secretStoreRef").toString())
                .isEqualTo("{\"kind\":\"ClusterSecretStore\",\"name\":\"vault-platform\"}");
    }

    @Test
    void noSecretValueIsWrittenAnywhereButTheChartsSecret() {
        for (Path overlay : RenderedChart.exampleOverlays()) {
            // with every optional consumer of a key too (the health check's hub service, env and CronJob)
            RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, overlay, SERVICE_VAULT),
                    Map.of("healthCheck.enabled", true, "healthCheck.schedule", "17 * * * *"));
            for (JsonNode object : chart.objects) {
                boolean chartSecret = "Secret".equals(object.path("kind").asText())
                        && "jhub-hpcspawner".equals(object.at("/metadata/name").asText());
                String text = chartSecret ? hubValues(chart) : object.toString();
                for (String secret : PINNED) {
                    assertThat(text).as("%s %s (%s)", object.path("kind").asText(), object.at("/metadata/name").asText(), overlay)
                            .doesNotContain(secret);
                }
            }
        }
    }

    @Test
    void reloaderWatchesTheSecretsActuallyUsed() {
        assertThat(reloads(RenderedChart.render(RenderedChart.SITE_COMMON, STAGING))).containsExactly(
                "hub=jhub-hpcspawner", "proxy=", "spawner=jhub-hpcspawner,hpcspawner-site");
        assertThat(reloads(RenderedChart.render(RenderedChart.SITE_COMMON, CLUSTER2))).containsExactly(
                "hub=jhub-eiger-credentials,jhub-hpcspawner", "proxy=jhub-eiger-credentials",
                "spawner=jhub-eiger-credentials,hpcspawner-site");
        // ESO's target Secrets; the proxy only for its token, which is generated once and never changes
        assertThat(reloads(RenderedChart.render(RenderedChart.SITE_COMMON, PRODUCTION))).containsExactly(
                "hub=jhub-hpcspawner-generated,jhub-hpcspawner-credentials,jhub-hpcspawner", "proxy=jhub-hpcspawner-generated",
                "spawner=jhub-hpcspawner-generated,jhub-hpcspawner-credentials,hpcspawner-site");
        // with spawner.vault the service reads no key file; its AppRole secret id is a Secret it uses
        assertThat(reloads(RenderedChart.render(RenderedChart.SITE_COMMON, PRODUCTION, SERVICE_VAULT))).contains(
                "spawner=jhub-hpcspawner-generated,hpcspawner-site,jhub-service-approle");
    }

    @Test
    void withVaultTheServiceReadsItsSecretsFromVaultAndPassesItsStartUpChecks() throws Exception {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, PRODUCTION, SERVICE_VAULT);

        assertThat(ServiceConfigTest.properties(chart)).containsAllEntriesOf(Map.of(
                "quarkus.vault.url", "https://vault.example.org:8200",
                "quarkus.vault.kv-secret-engine-mount-path", "hpc",
                "quarkus.vault.authentication.app-role.role-id", "99999999-8888-7777-6666-555555555555",
                "hpcspawner.keycloak.user-client.secret", "vault:hpcspawner/keycloak#hub-client-secret",
                "hpcspawner.keycloak.service-client.secret", "vault:hpcspawner/keycloak#service-client-secret",
                "hpcspawner.keycloak.token-encryption-key", "vault:hpcspawner/service#token-encryption-key"));
        assertThat(secretRefs(chart, "jhub-hpcspawner-spawner")).containsEntry(
                "QUARKUS_VAULT_AUTHENTICATION_APP_ROLE_SECRET_ID", "jhub-service-approle/secret-id");
        assertThat(spawnerPod(chart).path("volumes").toString()).doesNotContain("credentials");
        // the hub's client secret still comes from secrets.source
        assertThat(secretRefs(chart, "jhub-hpcspawner-hub")).containsEntry(
                "KEYCLOAK_HUB_CLIENT_SECRET", "jhub-hpcspawner-credentials/keycloak-hub-client-secret");
        assertThat(ServiceConfigTest.startUpProblems(chart))
                .allSatisfy(p -> assertThat(p).matches("hpcspawner\\.systems\\.[a-z0-9-]+\\.jwt-key-file: .*"));
    }

    @Test
    void withFilesTheServicePassesItsStartUpChecksInEverySource() throws Exception {
        for (Path overlay : List.of(STAGING, CLUSTER2, PRODUCTION)) {
            RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, overlay);
            assertThat(ServiceConfigTest.properties(chart).getProperty("hpcspawner.keycloak.token-encryption-key"))
                    .isEqualTo("file:/var/run/secrets/hpcspawner-credentials/token-encryption-key");
            assertThat(ServiceConfigTest.startUpProblems(chart)).as("%s", overlay)
                    .allSatisfy(p -> assertThat(p).matches("hpcspawner\\.systems\\.[a-z0-9-]+\\.jwt-key-file: .*"));
        }
    }

    @Test
    void aMissingRequiredValueFailsNamingIt() {
        // null drops a place given in shared values
        assertThatThrownBy(() -> RenderedChart.render(List.of(RenderedChart.SITE_COMMON, PRODUCTION),
                Map.of("secrets.externalSecrets.remoteRefs.token-encryption-key", "null")))
                .hasMessageContaining("secrets.externalSecrets.remoteRefs.token-encryption-key is required with"
                        + " secrets.source=externalSecrets: give {key, property} of its place in Vault\n");
        assertThatThrownBy(() -> RenderedChart.render(List.of(RenderedChart.SITE_COMMON, CLUSTER2), Map.of(
                "secrets.source", "externalSecrets", "secrets.externalSecrets.generateMissing", true,
                "secrets.externalSecrets.secretStore.create", false, "secrets.externalSecrets.secretStore.name", "vault")))
                .hasMessageContaining("secrets.externalSecrets.remoteRefs.keycloak-hub-client-secret is required with"
                        + " secrets.source=externalSecrets: give {key, property} of its place in Vault\n");
        assertThatThrownBy(() -> RenderedChart.render(List.of(RenderedChart.SITE_COMMON, PRODUCTION),
                Map.of("secrets.externalSecrets.generateMissing", false)))
                .hasMessageContaining("secrets.externalSecrets.remoteRefs.cookie-secret is required with secrets.source=externalSecrets:"
                        + " give {key, property} of its place in Vault, or set secrets.externalSecrets.generateMissing: true");
        assertThatThrownBy(() -> RenderedChart.render(List.of(RenderedChart.SITE_COMMON, STAGING), Map.of("keycloak.hubClient.secret", "")))
                .hasMessageContaining("keycloak.hubClient.secret is required with secrets.source=chart and keycloak.enabled"
                        + " (the client's secret from Keycloak; it cannot be generated)");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("secrets.source", "existingSecret")))
                .hasMessageContaining("at '/secrets/existingSecret': minLength: got 0, want 1");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("secrets.source", "vault")))
                .hasMessageContaining("at '/secrets/source': value must be one of 'chart', 'existingSecret', 'externalSecrets'");
        assertThatThrownBy(() -> RenderedChart.render(List.of(RenderedChart.SITE_COMMON, PRODUCTION),
                Map.of("secrets.externalSecrets.secretStore.vault.appRole.secretRef.name", "")))
                .hasMessageContaining("at '/secrets/externalSecrets/secretStore/vault/appRole/secretRef/name': minLength: got 0, want 1");
    }

    static Map<String, String> secretRefs(RenderedChart chart, String deployment) {
        Map<String, String> refs = new TreeMap<>();
        for (JsonNode env : chart.get("Deployment", deployment).at("/spec/template/spec/containers/0/env")) {
            JsonNode ref = env.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                refs.put(env.path("name").asText(), ref.path("name").asText() + "/" + ref.path("key").asText());
            }
        }
        return refs;
    }

    private static JsonNode spawnerPod(RenderedChart chart) {
        return chart.get("Deployment", "jhub-hpcspawner-spawner").at("/spec/template/spec");
    }

    private static JsonNode credentialsVolume(RenderedChart chart) {
        for (JsonNode volume : spawnerPod(chart).path("volumes")) {
            if ("credentials".equals(volume.path("name").asText())) {
                assertThat(volume.at("/secret/items").toString()).isEqualTo("[{\"key\":\"keycloak-hub-client-secret\",\"path\":"
                        + "\"keycloak-hub-client-secret\"},{\"key\":\"keycloak-service-client-secret\",\"path\":\"keycloak-service-client-secret\"},"
                        + "{\"key\":\"token-encryption-key\",\"path\":\"token-encryption-key\"}]");
                return volume.path("secret");
            }
        }
        throw new AssertionError("no credentials volume in " + spawnerPod(chart));
    }

    private static List<String> reloads(RenderedChart chart) {
        List<String> reloads = new ArrayList<>();
        for (String component : List.of("hub", "proxy", "spawner")) {
            reloads.add(component + "=" + chart.get("Deployment", "jhub-hpcspawner-" + component)
                    .at("/metadata/annotations").path("secret.reloader.stakater.com/reload").asText());
        }
        return reloads;
    }

    private static List<String> dataKeys(JsonNode secret) {
        return fieldNames(secret.path("data"));
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names.stream().sorted().toList();
    }

    private static String decoded(RenderedChart chart, String key) {
        return new String(Base64.getDecoder().decode(chart.get("Secret", "jhub-hpcspawner").at("/data/" + key).asText()),
                StandardCharsets.UTF_8);
    }

    private static String hubValues(RenderedChart chart) {
        return decoded(chart, "hub-values.json");
    }
}
