package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static io.hpcspawner.scheduler.firecrest.FirecrestDoubles.firecrest;
import static io.hpcspawner.scheduler.firecrest.FirecrestDoubles.keycloak;
import static io.hpcspawner.scheduler.firecrest.VaultDoubles.vault;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The service account's client secret lives in Vault KV v2 (read through quarkus-vault with
 * AppRole): the service polls FirecREST with a token got with that secret, and when the secret is
 * rotated in Vault (and Keycloak stops accepting the old one) it carries on with the new one,
 * without a restart. Vault, Keycloak and FirecREST are WireMock.
 */
@QuarkusTest
@TestProfile(VaultSecretsTest.Profile.class)
class VaultSecretsTest {

    /** The real composition root with a FirecREST system whose service secret is in Vault. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("test.fake-scheduler", "false", "hpcspawner.watch.gone-grace", "60s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(VaultDoubles.class));
        }
    }

    static final String KV = "/v1/secret/data/hpcspawner/keycloak";

    /** Vault's KV v2 read answer holding {@code service-secret}. */
    static void vaultHolds(String secret, int version) {
        vault.stubFor(get(urlPathEqualTo(KV)).withHeader("X-Vault-Token", equalTo("hvs.test-token")).willReturn(json(200,
                "{\"request_id\":\"r" + version + "\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,"
                        + "\"data\":{\"data\":{\"service-secret\":\"" + secret + "\"},\"metadata\":{\"created_time\":"
                        + "\"2026-11-22T10:00:00Z\",\"custom_metadata\":null,\"deletion_time\":\"\",\"destroyed\":false,"
                        + "\"version\":" + version + "}},\"wrap_info\":null,\"warnings\":null,\"auth\":null}")));
    }

    /** Keycloak accepts only {@code secret} for the service account; 2 s tokens, so one is fetched every second. */
    static void keycloakAccepts(String secret, String token) {
        keycloak.resetAll();
        keycloak.stubFor(post(FirecrestBackendTest.TOKEN_PATH).withRequestBody(containing("grant_type=client_credentials"))
                .willReturn(json(401, "{\"error\":\"unauthorized_client\",\"error_description\":\"Invalid client or Invalid client credentials\"}")));
        keycloak.stubFor(post(FirecrestBackendTest.TOKEN_PATH).withRequestBody(containing("grant_type=client_credentials"))
                .withRequestBody(containing("client_secret=" + secret))
                .willReturn(json(200, "{\"access_token\":\"" + token + "\",\"expires_in\":2,\"token_type\":\"Bearer\"}")));
    }

    @Test
    void theServiceSecretComesFromVaultAndItsRotationNeedsNoRestart() {
        vault.stubFor(post(urlPathEqualTo("/v1/auth/approle/login"))
                .withRequestBody(equalToJson("{\"role_id\":\"hpcspawner-role\",\"secret_id\":\"approle-secret-id\"}", true, true))
                .willReturn(json(200, VaultDoubles.loginAnswer("{\"role_name\":\"hpcspawner\"}"))));
        vaultHolds("first-secret", 1);
        keycloakAccepts("first-secret", "svc-token-1");
        firecrest.stubFor(post(FirecrestBackendTest.JOBS).willReturn(json(201, "{\"jobId\":\"5151\"}")));
        firecrest.stubFor(get(urlPathEqualTo(FirecrestBackendTest.JOBS)).willReturn(json(200, JobModelBodies.jobs())));

        String user = "vault" + System.nanoTime() % 100000;
        given().header("Authorization", FirecrestBackendTest.HUB).contentType(ContentType.JSON).body(FirecrestBackendTest.createBody(user))
                .post("/api/v1/users/" + user + "/servers/lab").then().statusCode(202);

        await().atMost(Duration.ofSeconds(10)).until(() -> !firecrest.findAll(getRequestedFor(urlPathEqualTo(FirecrestBackendTest.JOBS))
                .withHeader("Authorization", equalTo("Bearer svc-token-1"))).isEmpty());
        vault.verify(postRequestedFor(urlPathEqualTo("/v1/auth/approle/login")));

        // rotated in Vault; Keycloak no longer accepts the old secret
        vaultHolds("second-secret", 2);
        keycloakAccepts("second-secret", "svc-token-2");

        await().atMost(Duration.ofSeconds(10)).until(() -> !firecrest.findAll(getRequestedFor(urlPathEqualTo(FirecrestBackendTest.JOBS))
                .withHeader("Authorization", equalTo("Bearer svc-token-2"))).isEmpty());
        assertThat(keycloak.findAll(postRequestedFor(urlPathEqualTo(FirecrestBackendTest.TOKEN_PATH))
                .withRequestBody(containing("client_secret=second-secret")))).isNotEmpty();

        given().header("Authorization", FirecrestBackendTest.HUB).delete("/api/v1/users/" + user + "/servers/lab")
                .then().statusCode(202);
    }
}
