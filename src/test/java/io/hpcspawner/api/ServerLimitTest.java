package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A user has at most {@code hpcspawner.limits.servers-per-user} active servers (default 10). */
@QuarkusTest
class ServerLimitTest {

    private static io.restassured.response.ValidatableResponse create(String user, String server, String startId) {
        return given().header("Authorization", ServerApiTest.HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", startId)).post("/api/v1/users/" + user + "/servers/" + server).then();
    }

    @Test
    void theEleventhActiveServerIsRefusedUntilOneIsStopped() {
        String user = "quota" + System.nanoTime();
        for (int i = 1; i <= 10; i++) {
            create(user, "s" + i, "start-" + user + "-" + i).statusCode(202);
        }
        create(user, "s11", "start-" + user + "-11").statusCode(409).body("error", equalTo("server_limit"))
                .body("message", allOf(containsString("10 active servers"), containsString("stop one")));
        given().header("Authorization", ServerApiTest.HUB).get("/api/v1/users/" + user + "/servers/s11").then().statusCode(404);
        // a retried create of a start that exists is still answered, not refused
        create(user, "s3", "start-" + user + "-3").statusCode(200);

        String s1 = "/api/v1/users/" + user + "/servers/s1";
        given().header("Authorization", ServerApiTest.HUB).delete(s1).then().statusCode(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "stopped".equals(
                given().header("Authorization", ServerApiTest.HUB).get(s1).jsonPath().getString("state")));
        create(user, "s11", "start-" + user + "-11b").statusCode(202);
    }
}
