package io.hpcspawner.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import io.hpcspawner.support.ManagementPort;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Metrics, the OpenAPI document and health (whose systems group carries schedulers' error text)
 * are served only on the management interface, a port of its own that sites keep off the users'
 * network; the public port serves the API alone.
 */
@QuarkusTest
class ManagementInterfaceTest {

    private static final String HUB = "Bearer test-hub-token-0123456789abcdef0123456789";

    static final List<String> MANAGEMENT_PATHS = List.of("/q/metrics", "/q/openapi", "/q/health", "/q/health/live",
            "/q/health/ready", "/q/health/started", "/q/health/group/systems", "/q/health/group");

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @TestHTTPResource("/")
    URL api;

    @Test
    void thePublicPortAnswers404ForMetricsOpenApiAndHealth() {
        for (String path : MANAGEMENT_PATHS) {
            given().get(path).then().statusCode(404);
        }
    }

    @Test
    void theManagementPortServesThemOnAPortOfItsOwn() {
        assertThat(management.getPort()).isNotEqualTo(api.getPort());
        given().baseUri(ManagementPort.url(management)).get("/q/health/ready").then().statusCode(200)
                .body(containsString("UP")).body(containsString("\"server-store\""));
        given().baseUri(ManagementPort.url(management)).get("/q/health/group/systems").then().statusCode(200);
        given().baseUri(ManagementPort.url(management)).get("/q/metrics").then().statusCode(200)
                .body(containsString("hpcspawner_servers"));
        given().baseUri(ManagementPort.url(management)).get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/users/{user}/servers/{server}"));
    }

    @Test
    void theApiStaysOnThePublicPort() {
        given().header("Authorization", HUB).get("/api/v1/servers").then().statusCode(200);
        given().baseUri(ManagementPort.url(management)).header("Authorization", HUB)
                .get("/api/v1/servers").then().statusCode(404);
    }
}
