package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.ManagementPort;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input gets a 400 naming what is wrong; credentials reach only what they may. */
@QuarkusTest
class ApiInputAndAuthTest {

    @TestHTTPResource(value = "/", management = true)
    URL management;

    static final String HUB = ServerApiTest.HUB;

    @Inject
    FakeScheduler slurm;

    @BeforeEach
    void fresh() {
        slurm.reset();
    }

    private io.restassured.response.ValidatableResponse post(String path, Object body) {
        return given().header("Authorization", HUB).contentType(ContentType.JSON).body(body).post(path).then();
    }

    @Test
    void missingOrWrongCredentialsGet401() {
        given().get("/api/v1/users/alice/server").then().statusCode(401).body("error", equalTo("unauthorized"));
        given().header("Authorization", "Bearer nope").get("/api/v1/users/alice/server").then().statusCode(401);
        given().header("Authorization", "Basic YWxpY2U6eA==").get("/api/v1/servers").then().statusCode(401)
                .body("message", containsString("Bearer"));
    }

    @Test
    void aUsersTokenReachesOnlyTheirOwnServers() {
        given().header("Authorization", "Bearer test-bob-token").get("/api/v1/users/alice/servers").then()
                .statusCode(403).body("error", equalTo("forbidden"));
        given().header("Authorization", "Bearer test-bob-token").get("/api/v1/users/bob/servers").then().statusCode(200);
        given().header("Authorization", "Bearer test-bob-token").get("/api/v1/servers").then().statusCode(403);
        given().header("Authorization", HUB).get("/api/v1/servers").then().statusCode(200);
        given().header("Authorization", "Bearer test-bob-token").get("/api/v1/users/bob/server").then().statusCode(404)
                .body("error", equalTo("server_not_found"));
    }

    @Test
    void unknownFieldsAreRejectedNamingTheField() {
        post("/api/v1/users/alice/servers/x1", Map.of("startId", "start-0000000a", "colour", "red")).statusCode(400)
                .body("error", equalTo("bad_request")).body("field", equalTo("colour"))
                .body("message", containsString("startId"));
    }

    @Test
    void malformedJsonIs400() {
        post("/api/v1/users/alice/servers/x2", "{\"startId\": ").statusCode(400).body("error", equalTo("bad_request"));
    }

    @Test
    void malformedNamesAre400() {
        post("/api/v1/users/al%20ice/server", Map.of("startId", "start-0000000b")).statusCode(400)
                .body("error", equalTo("invalid_name")).body("field", equalTo("user"));
        given().header("Authorization", HUB).get("/api/v1/users/alice/servers/a$b").then().statusCode(400)
                .body("field", equalTo("server"));
        post("/api/v1/users/alice/servers/x3", Map.of("startId", "x")).statusCode(400).body("field", equalTo("startId"));
    }

    @Test
    void oversizedBodiesAre400() {
        String big = "x".repeat(300 * 1024);
        post("/api/v1/users/alice/servers/x4", Map.of("startId", "start-0000000c", "environment", Map.of("BIG", big)))
                .statusCode(400).body("error", equalTo("payload_too_large"));
    }

    @Test
    void badOptionsNameTheFieldAndTheAllowedValues() {
        post("/api/v1/users/alice/servers/x5", Map.of("startId", "start-0000000d", "options", Map.of("cpus", "lots")))
                .statusCode(400).body("error", equalTo("invalid_option")).body("field", equalTo("options.cpus"))
                .body("message", containsString("from 1 to"));
        post("/api/v1/users/alice/servers/x5", Map.of("startId", "start-0000000d",
                "options", Map.of("profile", "small", "cpus", "9"))).statusCode(400).body("message", containsString("1 to 4"));
        post("/api/v1/users/alice/servers/x5", Map.of("startId", "start-0000000d", "options", Map.of("profile", "huge")))
                .statusCode(400).body("field", equalTo("options.profile")).body("message", containsString("big, small"));
        post("/api/v1/users/alice/servers/x5", Map.of("startId", "start-0000000d",
                "options", Map.of("profile", "small", "partition", "debug; rm -rf ~"))).statusCode(400)
                .body("field", equalTo("options.partition"));
        post("/api/v1/users/alice/servers/x5", Map.of("startId", "start-0000000d",
                "options", Map.of("profile", "small", "time", "99:00:00"))).statusCode(400).body("field", equalTo("options.time"));
        post("/api/v1/users/alice/servers/x5", Map.of("startId", "start-0000000d",
                "options", Map.of("profile", "small", "account", "a'b"))).statusCode(400).body("field", equalTo("options.account"));
        post("/api/v1/users/alice/servers/x5", Map.of("startId", "start-0000000d",
                "environment", Map.of("BAD NAME", "x"))).statusCode(400).body("field", equalTo("environment"));
        org.assertj.core.api.Assertions.assertThat(slurm.submits.get()).isZero();
    }

    @Test
    void formDataListsAreAcceptedAsOneValue() {
        String name = "form" + System.nanoTime();
        post("/api/v1/users/alice/servers/" + name, Map.of("startId", "start-0000000e",
                "options", Map.of("profile", java.util.List.of("big"), "time", java.util.List.of("0:45:00"))))
                .statusCode(202).body("options.profile", equalTo("big")).body("options.time", equalTo("45"))
                .body("options.account", equalTo("proj1"));
        given().header("Authorization", HUB).delete("/api/v1/users/alice/servers/" + name).then().statusCode(202);
    }

    @Test
    void theCallbackNeedsTheStartsSecret() {
        given().contentType(ContentType.JSON).body(Map.of("host", "nid001", "port", 5000))
                .post("/api/v1/callback/abc").then().statusCode(401);
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON)
                .body(Map.of("host", "nid001", "port", 5000)).post("/api/v1/callback/abc").then().statusCode(401);
    }

    @Test
    void theOptionsFormListsTheProfilesEscaped() {
        given().header("Authorization", "Bearer test-alice-token").get("/api/v1/users/alice/options-form").then()
                .statusCode(200).body("profiles.key", hasItems("big", "small"))
                .body("html", containsString("name=\"profile\" value=\"small\""))
                .body("html", containsString("Small &lt;one CPU&gt;"));
    }

    @Test
    void theCheckedInOpenApiDocumentMatchesTheServedOne() throws Exception {
        String served = given().baseUri(ManagementPort.url(management)).get("/q/openapi").then().statusCode(200)
                .extract().asString();
        String checkedIn = java.nio.file.Files.readString(java.nio.file.Path.of("docs/openapi.yaml"));
        // Compared as documents: the order of a schema's keys (type, format, description) differs between the
        // build-time file and the served one, and means nothing to a client.
        var yaml = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper();
        org.assertj.core.api.Assertions.assertThat(yaml.readTree(served))
                .as("docs/openapi.yaml is out of date: after ./mvnw package run cp target/openapi/openapi.yaml docs/")
                .isEqualTo(yaml.readTree(checkedIn));
    }
}
