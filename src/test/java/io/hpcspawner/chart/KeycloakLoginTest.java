package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keycloak.*: the hub's login (the rendered jupyterhub_config.py as traitlets loads it, with the
 * pod's environment) and the service's hpcspawner.keycloak.* come from the same values.
 */
class KeycloakLoginTest {

    @TempDir
    Path dir;

    @Test
    void theHubLogsInWithKeycloakAndKeepsTheTokensForTheService() throws Exception {
        JsonNode config = HubConfigTest.load(RenderedChart.staging(), dir);

        assertThat(config.at("/JupyterHub/authenticator_class").asText()).isEqualTo("generic-oauth");
        JsonNode oauth = config.path("GenericOAuthenticator");
        assertThat(oauth.path("client_id").asText()).isEqualTo("jupyterhub-staging");
        // from the Secret through the environment, never from the ConfigMap or hub-values.json
        assertThat(oauth.path("client_secret").asText()).isEqualTo("test-hub-client-secret-ffff6666");
        String realm = "https://auth.example.org/realms/hpc-staging/protocol/openid-connect/";
        assertThat(oauth.path("authorize_url").asText()).isEqualTo(realm + "auth");
        assertThat(oauth.path("token_url").asText()).isEqualTo(realm + "token");
        assertThat(oauth.path("userdata_url").asText()).isEqualTo(realm + "userinfo");
        assertThat(oauth.path("oauth_callback_url").asText()).isEqualTo("https://jupyter-staging.example.org/hub/oauth_callback");
        assertThat(oauth.path("scope").toString()).isEqualTo("[\"openid\",\"profile\",\"email\",\"offline_access\"]");
        assertThat(oauth.path("username_claim").asText()).isEqualTo("preferred_username");
        assertThat(oauth.path("enable_auth_state").asBoolean()).isTrue();
        assertThat(oauth.path("refresh_pre_spawn").asBoolean()).isTrue();
        assertThat(config.at("/HPCSpawner/pass_login").asBoolean()).isTrue();
        // hub.config still applies on top
        assertThat(oauth.path("login_service").asText()).isEqualTo("Example Login");
        assertThat(oauth.has("admin_groups")).isFalse();
    }

    @Test
    void groupsAndAnExplicitCallbackAreUsed() throws Exception {
        RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.PRODUCTION), Map.of(
                "keycloak.allowedGroups[0]", "hpc-users", "keycloak.callbackUrl", "https://hub.example.org/x/hub/oauth_callback"));
        JsonNode oauth = HubConfigTest.load(chart, dir).path("GenericOAuthenticator");

        assertThat(oauth.path("allowed_groups").toString()).isEqualTo("[\"hpc-users\"]");
        assertThat(oauth.path("admin_groups").toString()).isEqualTo("[\"hpc-jupyter-admins\"]");
        assertThat(oauth.path("oauth_callback_url").asText()).isEqualTo("https://hub.example.org/x/hub/oauth_callback");
        // the client secret is in a Secret ESO makes: the hub reads it from there
        assertThat(oauth.path("client_secret").asText()).isEqualTo("from-secret:jhub-hpcspawner-credentials/keycloak-hub-client-secret");
    }

    @Test
    void theCallbackFollowsTheBaseUrl() throws Exception {
        RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.STAGING), Map.of("hub.baseUrl", "/jupyter/"));
        assertThat(HubConfigTest.load(chart, dir).at("/GenericOAuthenticator/oauth_callback_url").asText())
                .isEqualTo("https://jupyter-staging.example.org/jupyter/hub/oauth_callback");
    }

    @Test
    void withoutAnIngressTheCallbackMustBeGiven() {
        assertThatThrownBy(() -> RenderedChart.render(List.of(RenderedChart.SITE_COMMON, SecretsSourcesTest.STAGING), Map.of("ingress.enabled", false)))
                .hasMessageContaining("keycloak.callbackUrl is required when the Ingress is off");
        assertThatThrownBy(() -> RenderedChart.render(List.of(), Map.of("keycloak.enabled", true)))
                .hasMessageContaining("at '/keycloak/url': minLength: got 0, want 1");
    }

    @Test
    void withoutKeycloakTheHubUsesItsOwnAuthenticatorAndTheServiceHasNoClients() throws Exception {
        RenderedChart chart = RenderedChart.render();
        JsonNode config = HubConfigTest.load(chart, dir);

        assertThat(config.has("GenericOAuthenticator")).isFalse();
        assertThat(config.at("/JupyterHub/authenticator_class").isMissingNode()).isTrue();
        assertThat(config.at("/HPCSpawner/pass_login").isMissingNode()).isTrue();
        assertThat(ServiceConfigTest.properties(chart).stringPropertyNames()).noneMatch(k -> k.startsWith("hpcspawner.keycloak."));
        assertThat(SecretsSourcesTest.secretRefs(chart, "jhub-hpcspawner-hub")).doesNotContainKey("KEYCLOAK_HUB_CLIENT_SECRET");
    }

    @Test
    void theServiceUsesTheSameRealmAndClients() throws Exception {
        RenderedChart chart = RenderedChart.render(RenderedChart.SITE_COMMON, SecretsSourcesTest.CLUSTER2);
        assertThat(ServiceConfigTest.properties(chart)).containsAllEntriesOf(Map.of(
                "hpcspawner.keycloak.issuer", "https://auth.example.org/realms/hpc",
                "hpcspawner.keycloak.user-client.id", "jupyterhub-eiger",
                "hpcspawner.keycloak.service-client.id", "hpcspawner-eiger",
                "hpcspawner.keycloak.user-client.secret", "file:/var/run/secrets/hpcspawner-credentials/keycloak-hub-client-secret",
                "hpcspawner.keycloak.service-client.secret", "file:/var/run/secrets/hpcspawner-credentials/keycloak-service-client-secret"));
        assertThat(HubConfigTest.load(chart, dir).at("/GenericOAuthenticator/client_id").asText()).isEqualTo("jupyterhub-eiger");
    }
}
