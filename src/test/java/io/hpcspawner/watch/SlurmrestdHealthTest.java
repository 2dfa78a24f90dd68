package io.hpcspawner.watch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.hpcspawner.credentials.SlurmTokenMinter;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.port.SystemHealth;
import io.hpcspawner.scheduler.slurmrestd.OutputFiles;
import io.hpcspawner.scheduler.slurmrestd.SlurmrestdApiVersion;
import io.hpcspawner.scheduler.slurmrestd.SlurmrestdScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 5: an unreachable slurmrestd is DOWN in the systems health group, with the reason
 * (before, slurmrestd reported no health, and the group stayed UP with "unknown"). Against a real
 * closed port, and a stand-in slurmrestd answering {@code /ping}.
 */
class SlurmrestdHealthTest {

    static SlurmrestdScheduler slurmrestd(URI url) {
        return new SlurmrestdScheduler(url, new SlurmTokenMinter(new byte[32], Duration.ofMinutes(5), Clock.systemUTC()),
                "slurm", Duration.ofSeconds(2), new OutputFiles(false), new ObjectMapper(),
                Optional.of(SlurmrestdApiVersion.V0_0_38));
    }

    static URI closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    static HealthCheckResponse systemsGroup(SlurmrestdScheduler scheduler) {
        return new SystemsHealthCheck(new SchedulerRegistry(Map.of("testsys", scheduler)), Clock.systemUTC(),
                new SimpleMeterRegistry()).call();
    }

    @Test
    void aClosedSlurmrestdPortIsDownWithTheReason() throws Exception {
        URI url = closedPort();

        HealthCheckResponse group = systemsGroup(slurmrestd(url));

        assertThat(group.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(group.getData().orElseThrow().get("testsys").toString())
                .startsWith("unhealthy: slurmrestd at " + url + " cannot be reached")
                .contains("ConnectException");
    }

    @Test
    void aControllerThatAnswersUpIsHealthyOneThatIsDownIsNot() throws Exception {
        String[] answer = {"{\"errors\":[],\"pings\":[{\"hostname\":\"ctl\",\"ping\":\"UP\",\"status\":0,\"mode\":\"primary\"}]}"};
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/slurm/v0.0.38/ping", ex -> {
            byte[] out = answer[0].getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        try {
            SlurmrestdScheduler s = slurmrestd(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
            assertThat(s.health()).isEqualTo(SystemHealth.healthy("slurmctld ctl (primary) UP (API v0.0.38)"));

            answer[0] = "{\"errors\":[],\"pings\":[{\"hostname\":\"ctl\",\"ping\":\"DOWN\",\"status\":-1,\"mode\":\"primary\"}]}";
            assertThat(s.health()).isEqualTo(SystemHealth.unhealthy("slurmrestd answers, but no slurmctld is UP; DOWN: ctl (primary) (API v0.0.38)"));
            assertThat(systemsGroup(s).getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        } finally {
            server.stop(0);
        }
    }
}
