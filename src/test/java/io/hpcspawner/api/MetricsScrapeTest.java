package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.is;

import io.hpcspawner.support.ManagementPort;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What Prometheus scrapes from {@code /q/metrics}: the series the dashboard plots exist from the
 * start (at zero where nothing happened yet) under their Prometheus names and units, and move when
 * what they count happens.
 */
@QuarkusTest
class MetricsScrapeTest {

    @TestHTTPResource(value = "/", management = true)
    URL management;

    @Test
    void aRefusedReadySignalIsCountedByItsReason() {
        double before = value("hpcspawner_ready_callback_failures_total{reason=\"secret\"}");

        given().contentType("application/json").header("Authorization", "Bearer wrong-secret")
                .body("{\"host\": \"nid001\", \"port\": 8888}").post("/api/v1/callback/no-such-server")
                .then().statusCode(anyOf(is(401), is(403), is(404)));
        given().contentType("application/json").header("Authorization", "Bearer wrong-secret")
                .body("{\"host\": \"nid001\"}").post("/api/v1/callback/no-such-server").then().statusCode(400);

        assertThat(value("hpcspawner_ready_callback_failures_total{reason=\"secret\"}")).isEqualTo(before + 1);
        assertThat(value("hpcspawner_ready_callback_failures_total{reason=\"bad_request\"}")).isPositive();
        assertThat(value("hpcspawner_ready_callback_failures_total{reason=\"too_late\"}")).isZero();
    }

    @Test
    void theDashboardsSeriesAreThereFromTheStart() {
        String text = scrape();
        assertThat(text).contains("hpcspawner_servers{state=\"queued\",system=\"testsys\"}")
                .contains("hpcspawner_spawns_total{outcome=\"ready\",system=\"testsys\"}")
                .contains("hpcspawner_spawn_ready_seconds_bucket{system=\"testsys\",le=\"60.0\"}")
                .contains("hpcspawner_spawn_queue_wait_seconds_count{system=\"testsys\"}")
                .contains("hpcspawner_watch_round_seconds_count{answered=\"true\",system=\"testsys\"}")
                .contains("hpcspawner_ready_callback_failures_total{reason=\"too_late\"}");
    }

    @Test
    void aSingleReplicaReportsItselfTheLeader() {
        assertThat(scrape().lines().filter(l -> l.startsWith("hpcspawner_leader{identity=")))
                .singleElement().satisfies(l -> assertThat(l).endsWith(" 1.0"));
    }

    private String scrape() {
        return given().baseUri(ManagementPort.url(management)).get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private double value(String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape());
        assertThat(m.find()).as("%s in /q/metrics", series).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
