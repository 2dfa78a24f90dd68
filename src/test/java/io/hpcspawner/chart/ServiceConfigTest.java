package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.hpcspawner.app.ConfigChecks;
import io.hpcspawner.config.InvalidConfigurationException;
import io.hpcspawner.support.TestConfigs;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The service's site file as each example release renders it, plus the hub token the pod gets from
 * the Secret, put through the service's own start-up checks (ConfigChecks).
 */
class ServiceConfigTest {

    static Stream<Path> overlays() {
        return RenderedChart.exampleOverlays().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theRenderedSiteFilePassesTheServicesStartUpChecksButForFilesTheSiteMounts(Path overlay) throws IOException {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, overlay);

        // Key files (the Slurm JWT key) come from the site's Secret (spawner.siteSecret), which only
        // exists in the cluster: their absence here is the only problem allowed.
        assertThat(startUpProblems(chart)).as("start-up problems of %s", overlay.getFileName())
                .allSatisfy(p -> assertThat(p).matches("hpcspawner\\.systems\\.[a-z0-9-]+\\.jwt-key-file: .*"));
    }

    @Test
    void keycloakTokensOnTheApiAreVerifiedAgainstTheRealmForTheAudienceAndMappedByTheRoles() throws IOException {
        RenderedChart chart = RenderedChart.render(STAGING, Map.of("spawner.keycloakBearer.enabled", true,
                "spawner.keycloakBearer.audience", "hpcspawner-api", "spawner.keycloakBearer.hubRole", "spawner-hub"));
        Properties file = properties(chart);

        assertThat(file).containsEntry("quarkus.oidc.tenant-enabled", "true")
                .containsEntry("quarkus.oidc.auth-server-url", "https://auth.example.org/realms/hpc-staging")
                .containsEntry("quarkus.oidc.client-id", "hpcspawner-api")
                .containsEntry("quarkus.oidc.token.audience", "hpcspawner-api")
                .containsEntry("quarkus.oidc.roles.role-claim-path", "resource_access/hpcspawner-api/roles")
                .containsEntry("hpcspawner.auth.keycloak.hub-role", "spawner-hub")
                .containsEntry("hpcspawner.auth.keycloak.user-role", "user")
                .containsEntry("hpcspawner.auth.keycloak.user-name-claim", "preferred_username");
        assertThat(TestConfigs.from(siteFile(chart)).auth().keycloak().hubRole()).as("as the service reads it")
                .isEqualTo("spawner-hub");
        assertThat(startUpProblems(chart)).allSatisfy(p -> assertThat(p).matches("hpcspawner\\.systems\\.[a-z0-9-]+\\.jwt-key-file: .*"));
        assertThat(properties(RenderedChart.render(STAGING, Map.of("spawner.keycloakBearer.enabled", true,
                "spawner.keycloakBearer.audience", "hpcspawner-api", "spawner.keycloakBearer.roleClaimPath", "realm_access/roles"))))
                .containsEntry("quarkus.oidc.roles.role-claim-path", "realm_access/roles");
    }

    @Test
    void withoutKeycloakTokensTheApiTakesOnlyTheHubsAndJupyterHubsTokens() throws IOException {
        assertThat(properties(RenderedChart.render(STAGING, Map.of())).stringPropertyNames())
                .noneMatch(k -> k.startsWith("quarkus.oidc.") || k.startsWith("hpcspawner.auth.keycloak."));
    }

    @Test
    void keycloakTokensNeedTheRealmAndTheAudience() {
        assertThatThrownBy(() -> RenderedChart.render(STAGING, Map.of("spawner.keycloakBearer.enabled", true)))
                .hasMessageContaining("at '/spawner/keycloakBearer/audience': minLength: got 0, want 1");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("spawner.keycloakBearer.enabled", true,
                "spawner.keycloakBearer.audience", "hpcspawner-api")))
                .hasMessageContaining("spawner.keycloakBearer.enabled needs keycloak.url: the realm that issues the tokens");
    }

    private static final List<Path> STAGING = List.of(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("staging.yaml"));

    /** What the service's start-up checks say about the rendered site file (with Vault when it names quarkus.vault.url). */
    static List<String> startUpProblems(RenderedChart chart) throws IOException {
        Map<String, String> settings = siteFile(chart);
        Optional<String> vaultUrl = Optional.ofNullable(properties(chart).getProperty("quarkus.vault.url"));
        InvalidConfigurationException failure = catchThrowableOfType(InvalidConfigurationException.class,
                () -> new ConfigChecks(TestConfigs.from(settings), vaultUrl).verify());
        return failure == null ? List.of() : failure.problems();
    }

    /** The rendered hpcspawner.properties. */
    static Properties properties(RenderedChart chart) throws IOException {
        Properties file = new Properties();
        file.load(new StringReader(chart.get("ConfigMap", "jhub-hpcspawner-spawner").path("data").path("hpcspawner.properties").asText()));
        return file;
    }

    static Map<String, String> siteFile(RenderedChart chart) throws IOException {
        Properties file = properties(chart);
        Map<String, String> settings = new HashMap<>();
        file.stringPropertyNames().stream().filter(k -> k.startsWith("hpcspawner.")).forEach(k -> settings.put(k, file.getProperty(k)));
        // the pod's HPCSPAWNER_AUTH_HUB_TOKEN: from the chart's Secret, or (another secrets.source) a Secret made outside Helm
        String hubToken = chart.get("Secret", "jhub-hpcspawner").path("data").path("hub-token").asText();
        settings.put("hpcspawner.auth.hub-token", hubToken.isEmpty() ? "test-hub-token-from-another-secret-0000"
                : new String(Base64.getDecoder().decode(hubToken), StandardCharsets.UTF_8));
        return settings;
    }
}
