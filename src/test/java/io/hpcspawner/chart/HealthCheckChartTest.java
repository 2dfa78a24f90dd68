package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hpcspawner.app.ConfigChecks;
import io.hpcspawner.config.InvalidConfigurationException;
import io.hpcspawner.support.TestConfigs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * healthCheck.enabled: the hub admits the check user and runs a service whose token reaches that
 * user's servers only; the service gets the check's settings, its token from the Secret of every
 * secrets.source, and a way through the NetworkPolicies to the proxy. Off (the default), nothing of
 * it is rendered.
 */
class HealthCheckChartTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TOKEN = "test-health-check-token-iiii9999";
    static final Map<String, Object> ENABLED = Map.of("healthCheck.enabled", true, "healthCheck.options.profile", "small",
            "secrets.healthCheckToken", TOKEN);

    @TempDir
    Path dir;

    static RenderedChart staging(Map<String, Object> set) {
        return RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.STAGING), set);
    }

    @Test
    void offByDefaultNothingOfTheCheckIsRendered() throws Exception {
        RenderedChart chart = RenderedChart.staging();

        for (JsonNode object : chart.objects) {
            if (!object.at("/metadata/name").asText().equals("jhub-hpcspawner-hub") || !object.path("kind").asText().equals("ConfigMap")) {
                assertThat(object.toString()).as("%s %s", object.path("kind"), object.at("/metadata/name"))
                        .doesNotContain("health-check").doesNotContain("HEALTH_CHECK");
            }
        }
        assertThat(chart.ofKind("CronJob")).isEmpty();
        assertThat(chart.ofKind("NetworkPolicy")).hasSize(3);
        JsonNode config = HubConfigTest.load(chart, dir);
        assertThat(config.at("/JupyterHub/services").toString()).doesNotContain("hpcspawner-health-check");
        assertThat(config.path("Authenticator").isMissingNode()).as("no allowed_users of the chart's").isTrue();
    }

    @Test
    void theHubRunsTheChecksServiceWithOnlyTheCheckUsersServersAndAdmitsThatUser() throws Exception {
        RenderedChart chart = staging(ENABLED);
        JsonNode config = HubConfigTest.load(chart, dir);

        JsonNode service = named(config.at("/JupyterHub/services"), "hpcspawner-health-check");
        assertThat(service.path("api_token").asText()).isEqualTo(TOKEN);
        JsonNode role = named(config.at("/JupyterHub/load_roles"), "hpcspawner-health-check");
        assertThat(strings(role.path("scopes"))).containsExactly("servers!user=hpcspawner-check",
                "read:servers!user=hpcspawner-check", "access:servers!user=hpcspawner-check");
        assertThat(strings(role.path("services"))).containsExactly("hpcspawner-health-check");
        // the hub creates allowed users at start; the site's allow_all still lets everyone else in
        assertThat(strings(config.at("/Authenticator/allowed_users"))).containsExactly("hpcspawner-check");
        assertThat(config.at("/Authenticator/allow_existing_users").asBoolean(true)).isFalse();
        assertThat(config.at("/GenericOAuthenticator/allow_all").asBoolean()).isTrue();
        assertThat(SecretsSourcesTest.secretRefs(chart, "jhub-hpcspawner-hub"))
                .containsEntry("HPCSPAWNER_HEALTH_CHECK_TOKEN", "jhub-hpcspawner/health-check-token");
    }

    @Test
    void theSitesOwnAllowedUsersKeepTheCheckUserAndTheirDefaults() throws Exception {
        Map<String, Object> set = new HashMap<>(ENABLED);
        set.put("healthCheck.user", "svc-check");
        set.put("hub.config.GenericOAuthenticator.allowed_users[0]", "alice");
        JsonNode config = HubConfigTest.load(staging(set), dir);

        assertThat(strings(config.at("/GenericOAuthenticator/allowed_users"))).containsExactly("alice", "svc-check");
        // the site set allowed_users itself: JupyterHub's default for existing users stays theirs
        assertThat(config.at("/Authenticator/allow_existing_users").isMissingNode()).isTrue();
        assertThat(config.at("/JupyterHub/load_roles").toString()).contains("servers!user=svc-check");
    }

    @Test
    void theTokenIsAKeyOfTheSecretInEverySource() {
        RenderedChart chart = staging(ENABLED);
        String inSecret = chart.get("Secret", "jhub-hpcspawner").at("/data/health-check-token").asText();
        assertThat(new String(Base64.getDecoder().decode(inSecret), StandardCharsets.UTF_8)).isEqualTo(TOKEN);

        RenderedChart existing = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.CLUSTER2), ENABLED);
        assertThat(existing.get("Secret", "jhub-hpcspawner").at("/data/health-check-token").isMissingNode()).isTrue();
        assertThat(SecretsSourcesTest.secretRefs(existing, "jhub-hpcspawner-spawner"))
                .containsEntry("HPCSPAWNER_HEALTH_CHECK_HUB_TOKEN", "jhub-eiger-credentials/health-check-token");

        RenderedChart generated = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.PRODUCTION), ENABLED);
        assertThat(generated.get("ExternalSecret", "jhub-hpcspawner-generated").at("/spec/target/template/data/health-check-token")
                .asText()).isEqualTo("{{ index . \"health-check-token\" | sha256sum }}");
        assertThat(SecretsSourcesTest.secretRefs(generated, "jhub-hpcspawner-hub"))
                .containsEntry("HPCSPAWNER_HEALTH_CHECK_TOKEN", "jhub-hpcspawner-generated/health-check-token");

        Map<String, Object> fromVault = new HashMap<>(ENABLED);
        fromVault.put("secrets.externalSecrets.remoteRefs.health-check-token.key", "hpcspawner/production/hub");
        fromVault.put("secrets.externalSecrets.remoteRefs.health-check-token.property", "health-check-token");
        RenderedChart vault = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.PRODUCTION), fromVault);
        assertThat(vault.get("ExternalSecret", "jhub-hpcspawner-credentials").at("/spec/data").toString())
                .contains("{\"secretKey\":\"health-check-token\",\"remoteRef\":{\"key\":\"hpcspawner/production/hub\",\"property\":\"health-check-token\"}}");
        assertThat(SecretsSourcesTest.secretRefs(vault, "jhub-hpcspawner-spawner"))
                .containsEntry("HPCSPAWNER_HEALTH_CHECK_HUB_TOKEN", "jhub-hpcspawner-credentials/health-check-token");

        Map<String, Object> nowhere = new HashMap<>(ENABLED);
        nowhere.put("secrets.externalSecrets.generateMissing", false);
        for (String key : List.of("proxy-token", "cookie-secret", "crypt-key", "hub-token", "metrics-token")) {
            nowhere.put("secrets.externalSecrets.remoteRefs." + key + ".key", "hpcspawner/production/hub");
            nowhere.put("secrets.externalSecrets.remoteRefs." + key + ".property", key);
        }
        assertThatThrownBy(() -> RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.PRODUCTION), nowhere))
                .hasMessageContaining("secrets.externalSecrets.remoteRefs.health-check-token is required");
    }

    @Test
    void theServiceReachesTheHubAndTheProxyInsideTheClusterAndPassesItsStartUpChecks() throws Exception {
        RenderedChart chart = staging(ENABLED);

        assertThat(chart.serviceProperty("hpcspawner.health-check.hub-api-url")).isEqualTo("http://jhub-hpcspawner-hub:8081/hub/api");
        assertThat(chart.serviceProperty("hpcspawner.health-check.public-url")).isEqualTo("http://jhub-hpcspawner-proxy-public");
        assertThat(chart.serviceProperty("hpcspawner.health-check.user")).isEqualTo("hpcspawner-check");
        assertThat(chart.serviceProperty("hpcspawner.health-check.server")).isEqualTo("healthcheck");
        assertThat(chart.serviceProperty("hpcspawner.health-check.timeout")).isEqualTo("10m");
        assertThat(chart.serviceProperty("hpcspawner.health-check.options.profile")).isEqualTo("small");
        assertThat(chart.serviceProperties()).doesNotContain(TOKEN).doesNotContain("hub-token=");
        assertThat(SecretsSourcesTest.secretRefs(chart, "jhub-hpcspawner-spawner"))
                .containsEntry("HPCSPAWNER_HEALTH_CHECK_HUB_TOKEN", "jhub-hpcspawner/health-check-token");
        // Reloader rolls the service when the token changes
        assertThat(chart.get("Deployment", "jhub-hpcspawner-spawner").at("/metadata/annotations")
                .path("secret.reloader.stakater.com/reload").asText()).contains("jhub-hpcspawner");

        Map<String, String> settings = ServiceConfigTest.siteFile(chart);
        settings.put("hpcspawner.health-check.hub-token", TOKEN);   // the pod's HPCSPAWNER_HEALTH_CHECK_HUB_TOKEN
        InvalidConfigurationException problems = catchThrowableOfType(InvalidConfigurationException.class,
                () -> new ConfigChecks(TestConfigs.from(settings), Optional.empty()).verify());
        // the site's key files are not here; nothing else is wrong
        assertThat(problems == null ? List.of() : problems.problems())
                .allSatisfy(p -> assertThat(p).matches("hpcspawner\\.systems\\.[a-z0-9-]+\\.jwt-key-file: .*"));
    }

    @Test
    void theServiceMayReachTheProxysPublicPortOnlyWhenTheCheckIsOn() {
        RenderedChart on = staging(ENABLED);
        JsonNode toProxy = rule(on, "to", "proxy", 8000);
        JsonNode fromService = rule(on, "from", "spawner", "http");

        assertThat(rules(on, "spawner", "egress")).contains(toProxy).contains(rule(on, "to", "hub", 8081));
        assertThat(rules(on, "proxy", "ingress")).contains(fromService);

        RenderedChart off = RenderedChart.staging();
        assertThat(rules(off, "spawner", "egress")).doesNotContain(toProxy);
        assertThat(rules(off, "proxy", "ingress")).doesNotContain(fromService);
    }

    @Test
    void theSchemaRefusesAUserOrServerNameJupyterHubWouldNotKeep() {
        assertThatThrownBy(() -> staging(Map.of("healthCheck.user", "Check User")))
                .hasMessageContaining("at '/healthCheck/user'");
        assertThatThrownBy(() -> staging(Map.of("healthCheck.server", "a/b")))
                .hasMessageContaining("at '/healthCheck/server'");
        assertThatThrownBy(() -> staging(Map.of("healthCheck.timeout", "ten minutes")))
                .hasMessageContaining("at '/healthCheck/timeout'");
    }

    /** A NetworkPolicy rule (direction "to" or "from") naming the pods of one component and one port. */
    static JsonNode rule(RenderedChart chart, String direction, String component, Object port) {
        JsonNode labels = chart.get("Deployment", "jhub-hpcspawner-" + component).at("/spec/selector/matchLabels");
        return JSON.valueToTree(Map.of(direction, List.of(Map.of("podSelector", Map.of("matchLabels", labels))),
                "ports", List.of(Map.of("port", port, "protocol", "TCP"))));
    }

    /** The ingress or egress rules of one component's NetworkPolicy. */
    static List<JsonNode> rules(RenderedChart chart, String component, String direction) {
        List<JsonNode> rules = new ArrayList<>();
        chart.get("NetworkPolicy", "jhub-hpcspawner-" + component).at("/spec/" + direction).forEach(rules::add);
        return rules;
    }

    static JsonNode named(JsonNode list, String name) {
        for (JsonNode item : list) {
            if (name.equals(item.path("name").asText())) {
                return item;
            }
        }
        throw new AssertionError("no " + name + " in " + list);
    }

    static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        array.forEach(s -> strings.add(s.asText()));
        return strings;
    }
}
