package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * A route that declares no rule of who may call it is refused to everyone, the hub included
 * ({@code quarkus.security.jaxrs.deny-unannotated-endpoints}); ArchitectureTest keeps such a
 * route from being written in the first place. The route is {@link UndeclaredRouteProbe}.
 */
@QuarkusTest
class UndeclaredRouteTest {

    @Test
    void withoutACredentialItIs401() {
        given().get("/api/v1/test-only/undeclared").then().statusCode(401).body("error", equalTo("unauthorized"));
    }

    @Test
    void evenTheHubsCredentialGets403() {
        given().header("Authorization", HttpFuzzTest.HUB).get("/api/v1/test-only/undeclared").then().statusCode(403)
                .body("error", equalTo("forbidden"));
        given().header("Authorization", "Bearer test-alice-token").get("/api/v1/test-only/undeclared").then()
                .statusCode(403);
    }
}
