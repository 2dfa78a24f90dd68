package io.hpcspawner.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.api.RawHttp.Answer;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The cases the HTTP fuzzer found answered by the HTTP layer with no body: they get the API's
 * JSON error body like every other client error.
 */
@QuarkusTest
class HttpLayerErrorsTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    Answer send(String method, String target, byte[] body, String... headers) {
        return new RawHttp("127.0.0.1", port, Duration.ofSeconds(10)).send(method, target, RawHttp.headers(headers), body);
    }

    @Test
    void aBodyOverTheHttpLimitGets413WithTheJsonErrorBody() {
        byte[] big = ("{\"startId\": \"" + "x".repeat(1100 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        Answer a = send("POST", "/api/v1/users/alice/servers/huge", big, "Authorization", HttpFuzzTest.HUB,
                "Content-Type", "application/json");
        assertThat(a.status()).as(a.failure()).isEqualTo(413);
        assertThat(a.header("Content-Type")).startsWith("application/json");
        assertThat(a.body()).contains("\"error\":\"payload_too_large\"").contains("KiB");
        assertThat(HttpFuzzTest.problem("POST", a)).isNull();
    }

    @Test
    void aDeclaredLengthOverTheLimitIsRefusedAtOnceWithTheJsonErrorBody() {
        Answer a = send("POST", "/api/v1/callback/abc", null, "Content-Length", Long.toString(64L << 20),
                "Content-Type", "application/json");
        assertThat(a.status()).as(a.failure()).isEqualTo(413);
        assertThat(a.body()).contains("\"error\":\"payload_too_large\"");
        assertThat(a.millis()).isLessThan(5000);
    }

    /** Found by the fuzzer: the 256 KiB limit of a create was checked on Content-Length only. */
    @Test
    void aChunkedCreateBodyOver256KiBIsRefusedLikeOneWithALength() {
        String name = "chunky" + System.nanoTime();
        byte[] big = ("{\"startId\": \"chunked-0001\", \"environment\": {\"PAD\": \"" + "p".repeat(300 * 1024) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        Answer a = send("POST", "/api/v1/users/alice/servers/" + name, big, "Authorization", HttpFuzzTest.HUB,
                "Content-Type", "application/json", "Transfer-Encoding", "chunked");
        assertThat(a.status()).as(a.body()).isEqualTo(400);
        assertThat(a.body()).contains("\"error\":\"payload_too_large\"");
        assertThat(io.restassured.RestAssured.given().header("Authorization", HttpFuzzTest.HUB)
                .get("/api/v1/users/alice/servers/" + name).statusCode()).isEqualTo(404);
    }

    /**
     * Bodies are read ahead on the event loop (BodyReadAhead): a chunked body that grows past the
     * HTTP layer's limit is refused there, with the API's JSON error body, and nothing is created.
     */
    @Test
    void aChunkedBodyOverTheHttpLimitIsRefusedWith413AndTheJsonErrorBody() {
        String name = "chunkier" + System.nanoTime();
        byte[] big = ("{\"startId\": \"chunked-0002\", \"environment\": {\"PAD\": \"" + "p".repeat(1100 * 1024) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        Answer a = send("POST", "/api/v1/users/alice/servers/" + name, big, "Authorization", HttpFuzzTest.HUB,
                "Content-Type", "application/json", "Transfer-Encoding", "chunked");
        assertThat(a.status()).as(a.failure()).isEqualTo(413);
        assertThat(a.body()).contains("\"error\":\"payload_too_large\"");
        assertThat(io.restassured.RestAssured.given().header("Authorization", HttpFuzzTest.HUB)
                .get("/api/v1/users/alice/servers/" + name).statusCode()).isEqualTo(404);
    }

    /** A body read ahead reaches the resource whole: a chunked create under the limits starts its server. */
    @Test
    void aChunkedCreateBodyUnderTheLimitsIsReadWhole() {
        String name = "chunked" + System.nanoTime();
        byte[] body = ("{\"startId\": \"chunked-0003\", \"environment\": {\"PAD\": \"" + "q".repeat(100 * 1024) + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
        Answer a = send("POST", "/api/v1/users/alice/servers/" + name, body, "Authorization", HttpFuzzTest.HUB,
                "Content-Type", "application/json", "Transfer-Encoding", "chunked");
        assertThat(a.status()).as(a.body()).isEqualTo(202);
        assertThat(a.body()).contains("\"startId\":\"chunked-0003\"");
        io.restassured.RestAssured.given().header("Authorization", HttpFuzzTest.HUB)
                .delete("/api/v1/users/alice/servers/" + name).then().statusCode(org.hamcrest.Matchers.lessThan(300));
    }

    /** Found by the fuzzer once bodies were read ahead: a declared empty body hung until the client gave up. */
    @Test
    void aCreateWithADeclaredEmptyBodyIsAnsweredAtOnce() {
        Answer a = send("POST", "/api/v1/users/alice/servers/empty" + System.nanoTime(), null, "Authorization",
                HttpFuzzTest.HUB, "Content-Type", "application/json", "Content-Length", "0");
        assertThat(a.status()).as(a.failure()).isEqualTo(400);
        assertThat(a.millis()).isLessThan(5000);
    }

    @jakarta.inject.Inject
    BodyReadAhead readAhead;

    /**
     * Bodies read ahead on the event loop are not bounded by the worker pool: what they may hold at once
     * is. Connections that start a chunked upload and stall (anyone reaching the callback can) hold no
     * more than the budget, and a create sent meanwhile is still answered.
     */
    @Test
    void stalledUploadsHoldAtMostTheBudgetAndCreatesAreStillAnswered() throws Exception {
        long limit = 1024 * 1024;
        java.util.List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < BodyReadAhead.BUDGET_BODIES + 8; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", port);
                s.getOutputStream().write(("POST /api/v1/callback/stalled" + i + " HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                stalled.add(s);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (readAhead.held() < BodyReadAhead.BUDGET_BODIES * limit && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(readAhead.held()).as("bytes held for stalled uploads")
                    .isEqualTo(BodyReadAhead.BUDGET_BODIES * limit);

            String name = "whilestalled" + System.nanoTime();
            Answer a = send("POST", "/api/v1/users/alice/servers/" + name,
                    "{\"startId\": \"stalled-0001\"}".getBytes(StandardCharsets.UTF_8), "Authorization",
                    HttpFuzzTest.HUB, "Content-Type", "application/json");
            assertThat(a.status()).as(a.failure()).isEqualTo(202);
            io.restassured.RestAssured.given().header("Authorization", HttpFuzzTest.HUB)
                    .delete("/api/v1/users/alice/servers/" + name).then().statusCode(org.hamcrest.Matchers.lessThan(300));
        } finally {
            for (java.net.Socket s : stalled) {
                s.close();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (readAhead.held() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(readAhead.held()).as("bytes held once the uploads were cut off").isZero();
    }
}
