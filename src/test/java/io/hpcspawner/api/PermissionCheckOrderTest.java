package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * The permission check ({@link ServerAccess}) runs before the route, so it keeps the answer a
 * malformed user name got when the route checked names first: 400 invalid_name, not 403.
 */
@QuarkusTest
class PermissionCheckOrderTest {

    @Test
    void aMalformedUserNameIs400ForAUsersTokenToo() {
        given().header("Authorization", "Bearer test-bob-token").get("/api/v1/users/al%20ice/servers").then()
                .statusCode(400).body("error", equalTo("invalid_name"));
        given().header("Authorization", HttpFuzzTest.HUB).get("/api/v1/users/al%20ice/servers").then()
                .statusCode(400).body("error", equalTo("invalid_name"));
    }

    @Test
    void anotherUsersServersAre403WithTheCallersName() {
        given().header("Authorization", "Bearer test-bob-token").get("/api/v1/users/alice/server").then()
                .statusCode(403).body("error", equalTo("forbidden"))
                .body("message", equalTo("this credential reaches only the servers of bob"));
        given().header("Authorization", "Bearer test-bob-token").get("/api/v1/admin/orphans").then()
                .statusCode(403).body("message", equalTo("only the hub's credential may list all servers"));
    }

    @Test
    void noCredentialOnACreateWithABrokenBodyIs401() {
        given().contentType("application/json").body("{\"startId\": ").post("/api/v1/users/alice/server").then()
                .statusCode(401).body("error", equalTo("unauthorized"));
    }
}
