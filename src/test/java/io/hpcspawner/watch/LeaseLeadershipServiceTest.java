package io.hpcspawner.watch;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.hpcspawner.support.ManagementPort;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The service with {@code hpcspawner.leadership.enabled=true}, against the fabric8 mock API server:
 * it takes the Lease under its identity at start-up, reports itself leader, and its watcher runs.
 */
@QuarkusTest
@WithKubernetesTestServer
@TestProfile(LeaseLeadershipServiceTest.Elected.class)
class LeaseLeadershipServiceTest {

    /** Leader election on, with short timings. */
    public static class Elected implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hpcspawner.leadership.enabled", "true", "hpcspawner.leadership.identity", "spawner-pod-1",
                    "hpcspawner.leadership.lease-namespace", "test", "hpcspawner.leadership.lease-name", "spawner-leader",
                    "hpcspawner.leadership.lease-duration", "3s", "hpcspawner.leadership.renew-deadline", "2s",
                    "hpcspawner.leadership.retry-period", "500ms");
        }
    }

    @KubernetesTestServer
    KubernetesServer api;

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void theServiceTakesTheLeaseAndWatches() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Lease lease = api.getClient().leases().inNamespace("test").withName("spawner-leader").get();
            assertThat(lease).isNotNull();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("spawner-pod-1");
            assertThat(scrape()).contains("hpcspawner_leader{identity=\"spawner-pod-1\"} 1.0")
                    .contains("hpcspawner_watch_round_seconds_count{");
        });
    }

    private String scrape() {
        return given().baseUri(ManagementPort.url(management)).get("/q/metrics").then().statusCode(200).extract().asString();
    }
}
