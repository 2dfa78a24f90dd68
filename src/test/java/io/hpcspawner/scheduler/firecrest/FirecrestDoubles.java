package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Starts two WireMock servers for a Quarkus test of the FirecREST backend: one plays FirecREST
 * (every exchange validated against the official document), the other Keycloak's token endpoint
 * (kept apart so the FirecREST journal holds FirecREST calls only). Points the service at them.
 */
public class FirecrestDoubles implements QuarkusTestResourceLifecycleManager {

    static WireMockServer firecrest;
    static WireMockServer keycloak;

    @Override
    public Map<String, String> start() {
        firecrest = new WireMockServer(wireMockConfig().dynamicPort());
        keycloak = new WireMockServer(wireMockConfig().dynamicPort());
        firecrest.start();
        keycloak.start();
        return Map.ofEntries(
                Map.entry("hpcspawner.systems.fc.backend", "firecrest-v2"),
                Map.entry("hpcspawner.systems.fc.url", firecrest.baseUrl()),
                Map.entry("hpcspawner.systems.fc.firecrest-system", "daint"),
                Map.entry("hpcspawner.systems.fc.working-directory", "/users/{user}"),
                Map.entry("hpcspawner.systems.fc.output-readable", "false"),
                Map.entry("hpcspawner.systems.fc.request-timeout", "2s"),
                Map.entry("hpcspawner.profiles.fc.system", "fc"),
                Map.entry("hpcspawner.profiles.fc.partition", "normal"),
                Map.entry("hpcspawner.keycloak.issuer", keycloak.baseUrl() + "/realms/hpc"),
                Map.entry("hpcspawner.keycloak.user-client.id", "jupyterhub"),
                Map.entry("hpcspawner.keycloak.user-client.secret", "user-client-secret"),
                Map.entry("hpcspawner.keycloak.service-client.id", "hpcspawner-service"),
                Map.entry("hpcspawner.keycloak.service-client.secret", "service-client-secret"),
                Map.entry("hpcspawner.keycloak.token-encryption-key", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="),
                Map.entry("hpcspawner.store.directory", "target/test-store-firecrest"),
                Map.entry("hpcspawner.store.logins-directory", "target/test-logins-firecrest"));
    }

    @Override
    public void stop() {
        firecrest.stop();
        keycloak.stop();
    }

    /** A JWT-shaped token with the given claims and a dummy signature (the service does not verify them; FirecREST would). */
    static String jwt(String claimsJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8)) + ".c2lnbmF0dXJl";
    }
}
