package io.hpcspawner.scheduler.guard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.port.SystemHealth;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 12: the slurmrestd backend runs behind the same per-system fault handling as FirecREST
 * (docs/resilience.md said so; before issue 12 it had none). A listing answered 503 then 200 is
 * retried; a slurmrestd that keeps failing opens the system's breaker, after which calls fail at
 * once without a request and the system's health says why.
 */
@QuarkusTest
@TestProfile(SlurmrestdGuardTest.Profile.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlurmrestdGuardTest {

    /** A slurmrestd stand-in: each request takes the next queued status, 200 when none is queued. */
    static HttpServer slurmrestd;
    static final ConcurrentLinkedQueue<Integer> STATUSES = new ConcurrentLinkedQueue<>();
    static final AtomicInteger REQUESTS = new AtomicInteger();
    static volatile int afterQueue = 200;

    /** The real composition root, testsys pointing at the stand-in; short backoff, long breaker. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            String p = "hpcspawner.systems.testsys.";
            return Map.of("test.fake-scheduler", "false",
                    p + "url", "http://127.0.0.1:" + freePort(),
                    p + "api-version", "v0.0.38",
                    p + "resilience.retry.initial-backoff", "10ms",
                    p + "resilience.retry.max-backoff", "20ms",
                    p + "resilience.breaker.failure-threshold", "3",
                    p + "resilience.breaker.open-for", "10m",
                    // no watcher round: its first one, at start, retried against the stand-in while a test counted
                    "quarkus.scheduler.enabled", "false",
                    "hpcspawner.store.directory", "target/test-store-slurmrestd-guard");
        }
    }

    @Inject
    SchedulerRegistry schedulers;

    @ConfigProperty(name = "hpcspawner.systems.testsys.url")
    URI url;

    /** The profile runs in another class loader than the test: the port travels through the configuration. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpServer start(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            server.createContext("/", exchange -> {
                REQUESTS.incrementAndGet();
                Integer queued = STATUSES.poll();
                int status = queued == null ? afterQueue : queued;
                byte[] body = (status == 200 ? "{\"jobs\": [], \"errors\": []}"
                        : "{\"errors\": [{\"description\": \"busy\", \"error_number\": 0}]}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeEach
    void reset() {
        if (slurmrestd == null) {
            slurmrestd = start(url.getPort());
            // calls made while the application started found no stand-in yet
            CircuitBreakerMaintenance.get().reset("hpcspawner-testsys");
        }
        STATUSES.clear();
        REQUESTS.set(0);
        afterQueue = 200;
    }

    @AfterAll
    static void stop() {
        if (slurmrestd != null) {
            slurmrestd.stop(0);
        }
    }

    @Test
    @Order(1)
    void aListingAnswered503Then200IsRetried() {
        STATUSES.add(503);
        assertThat(schedulers.forSystem("testsys").jobs(Set.of(), "hpcsp-")).isEmpty();
        assertThat(REQUESTS.get()).isEqualTo(2);
    }

    @Test
    @Order(2)
    void aDeadSlurmrestdOpensTheBreakerAndTheHealthSaysSo() {
        afterQueue = 500;
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> schedulers.forSystem("testsys").jobs(Set.of(), "hpcsp-"))
                    .isInstanceOf(SchedulerException.class);
        }
        int sent = REQUESTS.get();
        assertThatThrownBy(() -> schedulers.forSystem("testsys").jobs(Set.of(), "hpcsp-"))
                .isInstanceOf(SchedulerException.class).hasMessageContaining("unreachable")
                .matches(e -> ((SchedulerException) e).isTransient());
        assertThat(REQUESTS.get()).as("no request while the breaker is open").isEqualTo(sent);
        SystemHealth health = schedulers.forSystem("testsys").health();
        assertThat(health.state()).isEqualTo(SystemHealth.State.UNHEALTHY);
        assertThat(health.detail()).contains("unreachable");
    }
}
