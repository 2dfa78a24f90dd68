package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static io.hpcspawner.scheduler.firecrest.FirecrestDoubles.firecrest;
import static io.hpcspawner.scheduler.firecrest.VaultDoubles.vault;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.hpcspawner.support.ManagementPort;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Vault with Kubernetes authentication (the pod's service-account token): while Vault refuses,
 * starts still go out (they act with the user's token) and the servers' state is "unknown",
 * never "stopped"; once Vault answers, the service logs in with its role and token, reads the
 * client secret and polls with it.
 */
@QuarkusTest
@TestProfile(VaultKubernetesLoginTest.Profile.class)
class VaultKubernetesLoginTest {

    @TestHTTPResource(value = "/", management = true)
    URL management;

    /** The real composition root; Vault login through Kubernetes auth. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("test.fake-scheduler", "false", "hpcspawner.watch.gone-grace", "60s");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(VaultDoubles.Kubernetes.class));
        }
    }

    @Test
    void whileVaultRefusesPollingWaitsAndOnceItAnswersTheKubernetesLoginAndSecretAreUsed() {
        // Vault refuses the login: the service account secret cannot be read
        vault.resetAll();
        vault.stubFor(post(urlPathEqualTo("/v1/auth/kubernetes/login")).willReturn(json(403, "{\"errors\":[\"permission denied\"]}")));
        firecrest.resetAll();
        firecrest.stubFor(post(FirecrestBackendTest.JOBS).willReturn(json(201, "{\"jobId\":\"6161\"}")));
        firecrest.stubFor(get(urlPathEqualTo(FirecrestBackendTest.JOBS)).willReturn(json(200, JobModelBodies.jobs())));
        VaultSecretsTest.keycloakAccepts("k8s-secret", "svc-token-k8s");

        String user = "k8s" + System.nanoTime() % 100000;
        given().header("Authorization", FirecrestBackendTest.HUB).contentType(ContentType.JSON).body(FirecrestBackendTest.createBody(user))
                .post("/api/v1/users/" + user + "/servers/lab").then().statusCode(202);
        // the submit acts as the user (their token needs no secret); the watcher cannot poll yet
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> given().header("Authorization", FirecrestBackendTest.HUB)
                .get("/api/v1/users/" + user + "/servers/lab").then().body("state", org.hamcrest.Matchers.equalTo("queued")));

        await().atMost(Duration.ofSeconds(10)).until(() -> !vault.findAll(postRequestedFor(urlPathEqualTo("/v1/auth/kubernetes/login"))).isEmpty());
        await().pollDelay(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> true);
        given().header("Authorization", FirecrestBackendTest.HUB).get("/api/v1/users/" + user + "/servers/lab").then()
                .body("state", org.hamcrest.Matchers.equalTo("queued"));

        // Vault answers now: Kubernetes login with the pod's token, then the KV read
        vault.stubFor(post(urlPathEqualTo("/v1/auth/kubernetes/login"))
                .withRequestBody(equalToJson("{\"role\":\"hpcspawner\",\"jwt\":\"" + VaultDoubles.Kubernetes.JWT + "\"}"))
                .willReturn(json(200, VaultDoubles.loginAnswer("{\"role\":\"hpcspawner\",\"service_account_name\":\"hub\"}"))));
        VaultSecretsTest.vaultHolds("k8s-secret", 1);

        await().atMost(Duration.ofSeconds(15)).until(() -> !firecrest.findAll(getRequestedFor(urlPathEqualTo(FirecrestBackendTest.JOBS))
                .withHeader("Authorization", com.github.tomakehurst.wiremock.client.WireMock.equalTo("Bearer svc-token-k8s"))).isEmpty());
        vault.verify(postRequestedFor(urlPathEqualTo("/v1/auth/kubernetes/login")));
        given().baseUri(ManagementPort.url(management)).get("/q/health/ready").then().statusCode(200).body(containsString("UP"));
        given().header("Authorization", FirecrestBackendTest.HUB).delete("/api/v1/users/" + user + "/servers/lab")
                .then().statusCode(202);
    }
}
