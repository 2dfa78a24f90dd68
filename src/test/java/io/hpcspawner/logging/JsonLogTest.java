package io.hpcspawner.logging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.support.FakeScheduler;
import io.quarkus.logging.json.runtime.JsonFormatter;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console log as {@code quarkus.log.console.json.enabled=true} writes it (Quarkus' JSON
 * format behind the console handler's configured filter), captured while a server starts, runs
 * and stops through the API against the scheduler double: each line about the server names it in
 * fields, and secrets in a message are blanked in JSON too.
 */
@QuarkusTest
class JsonLogTest {

    static final String HUB = "Bearer test-hub-token-0123456789abcdef0123456789";
    static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    FakeScheduler slurm;

    ConsoleCapture capture;
    String server;

    @BeforeEach
    void captureTheConsoleAsJson() {
        slurm.reset();
        server = "json" + System.nanoTime() % 1_000_000;
        capture = ConsoleCapture.start(new JsonFormatter());
    }

    @AfterEach
    void stopCapturing() {
        capture.close();
        slurm.reset();
    }

    String path() {
        return "/api/v1/users/alice/servers/" + server;
    }

    String status(String field) {
        return given().header("Authorization", HUB).get(path()).then().statusCode(200).extract().path(field);
    }

    FakeScheduler.Job start(String startId) {
        given().header("Authorization", HUB).contentType(ContentType.JSON)
                .body(Map.of("startId", startId, "options", Map.of(), "environment", Map.of()))
                .post(path()).then().statusCode(202);
        await().atMost(Duration.ofSeconds(5)).until(() -> slurm.jobs.size() == 1);
        return slurm.jobs.values().iterator().next();
    }

    /** The JSON lines whose message is about this test's server. */
    List<JsonNode> linesAboutTheServer() {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : capture.written()) {
            JsonNode node = parse(line);
            if (node.path("message").asText().startsWith("Server alice/" + server + " ")
                    || node.path("message").asText().startsWith("Server alice/" + server + ":")) {
                lines.add(node);
            }
        }
        return lines;
    }

    @Test
    void everyLineAboutAServerNamesItsIdUserNameSystemAndJob() {
        FakeScheduler.Job job = start("start-json0001");
        job.reason = "Resources";
        await().atMost(Duration.ofSeconds(10)).until(() -> "queued".equals(status("state")));
        String id = status("id");
        slurm.run(job, "nid007");
        await().atMost(Duration.ofSeconds(10)).until(() -> "starting".equals(status("state")));
        given().header("Authorization", HUB).delete(path()).then().statusCode(202);

        List<JsonNode> lines = linesAboutTheServer();
        assertThat(lines).extracting(l -> l.path("message").asText())
                .anyMatch(m -> m.contains(": submitting:")).anyMatch(m -> m.contains(": queued:"))
                .anyMatch(m -> m.contains(": starting:")).anyMatch(m -> m.contains(": stopped:"));
        for (JsonNode line : lines) {
            JsonNode mdc = line.path("mdc");
            assertThat(mdc.path("serverId").asText()).as("serverId of %s", line).isEqualTo(id);
            assertThat(mdc.path("user").asText()).as("user of %s", line).isEqualTo("alice");
            assertThat(mdc.path("serverName").asText()).as("serverName of %s", line).isEqualTo(server);
            assertThat(mdc.path("system").asText()).as("system of %s", line).isEqualTo("testsys");
            if (!line.path("message").asText().contains(": submitting:")) {
                assertThat(mdc.path("jobId").asText()).as("jobId of %s", line).isEqualTo(job.id);
            }
        }
    }

    @Test
    void theSubmitThreadsOwnLinesCarryTheServersFields() {
        slurm.submitAnswerLost = true;
        FakeScheduler.Job job = start("start-json0002");
        await().atMost(Duration.ofSeconds(5)).until(() -> job.id.equals(status("jobId")));

        JsonNode adopted = linesAboutTheServer().stream()
                .filter(l -> l.path("message").asText().contains("the submit answer was lost")).findFirst().orElseThrow();
        assertThat(adopted.path("threadName").asText()).startsWith("job-launcher-");
        assertThat(adopted.path("mdc").path("serverId").asText()).isEqualTo(status("id"));
        assertThat(adopted.path("mdc").path("serverName").asText()).isEqualTo(server);
        assertThat(adopted.path("mdc").path("system").asText()).isEqualTo("testsys");
    }

    @Test
    void aTokenInAMessageIsRedactedInTheJsonLine() {
        Logger.getLogger("io.hpcspawner.test").warnf("the hub refused Authorization: token %s (%s)",
                "hub-secret-0123456789", "client_secret=abc123xyz");

        JsonNode line = capture.written().stream().map(JsonLogTest::parse)
                .filter(l -> l.path("message").asText().startsWith("the hub refused")).findFirst().orElseThrow();
        assertThat(line.path("message").asText())
                .isEqualTo("the hub refused Authorization: token [redacted] (client_secret=[redacted])");
        assertThat(String.join("", capture.written())).doesNotContain("hub-secret-0123456789").doesNotContain("abc123xyz");
    }

    static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException("not a JSON line: " + line, e);
        }
    }
}
