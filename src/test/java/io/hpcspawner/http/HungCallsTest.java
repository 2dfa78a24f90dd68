package io.hpcspawner.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.credentials.JupyterHubTokens;
import io.hpcspawner.credentials.SlurmTokenMinter;
import io.hpcspawner.credentials.TokenCheckUnavailable;
import io.hpcspawner.credentials.keycloak.KeycloakClient;
import io.hpcspawner.credentials.keycloak.KeycloakUnavailableException;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.scheduler.firecrest.AccessTokens;
import io.hpcspawner.scheduler.firecrest.FirecrestV2Scheduler;
import io.hpcspawner.scheduler.slurmrestd.OutputFiles;
import io.hpcspawner.scheduler.slurmrestd.SlurmrestdApiVersion;
import io.hpcspawner.scheduler.slurmrestd.SlurmrestdScheduler;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 9, item 7: a server that sends an answer's headers and then stalls its body. Every
 * outbound client of the service must give up within its configured time (here 1 s) with its
 * ordinary "unavailable" failure; before {@link BoundedHttp} each of these calls hung for ever
 * (the JDK's request timeout stops counting at the headers), which the preemptive timeout of 10 s
 * turns into a failure. A Quarkus test because the Keycloak client (quarkus-oidc-client) needs the
 * application's Vert.x.
 */
@QuarkusTest
class HungCallsTest {

    private static final Duration BOUND = Duration.ofSeconds(1);
    private static final Duration HANG = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private StalledBodyServer server;

    @Inject
    OidcClients oidc;

    @BeforeEach
    void start() throws Exception {
        server = new StalledBodyServer();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    /** Runs the call, which must fail within the bound (not hang), and answers its failure. */
    private static Throwable failure(Executable call) {
        long t0 = System.nanoTime();
        Throwable[] thrown = new Throwable[1];
        assertTimeoutPreemptively(HANG, () -> {
            try {
                call.execute();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        }, "the call hung on a stalled body");
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(thrown[0]).as("the call must fail").isNotNull();
        assertThat(took).as("time until the call gave up").isLessThan(BOUND.plusSeconds(2));
        return thrown[0];
    }

    @Test
    void boundedHttpCancelsAStalledBodyAtTheBound() {
        BoundedHttp http = new BoundedHttp(BOUND);
        Throwable t = failure(() -> http.send(HttpRequest.newBuilder(server.url().resolve("/x")).timeout(BOUND).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)));
        assertThat(t).isInstanceOf(HttpTimeoutException.class).hasMessageContaining("within 1000 ms");
    }

    @Test
    void slurmrestdListingFailsAsTransient() {
        SlurmrestdScheduler slurm = new SlurmrestdScheduler(server.url(),
                new SlurmTokenMinter(new byte[32], Duration.ofMinutes(5), Clock.systemUTC()), "slurm", BOUND,
                new OutputFiles(false), JSON, Optional.of(SlurmrestdApiVersion.V0_0_38));
        Throwable t = failure(() -> slurm.jobs(Set.of(), "hpcsp-"));
        assertThat(t).isInstanceOf(SchedulerException.class).hasMessageContaining("HttpTimeoutException");
        assertThat(((SchedulerException) t).isTransient()).isTrue();
    }

    @Test
    void firecrestListingFailsAsTransient() {
        AccessTokens tokens = new AccessTokens() {
            @Override
            public String forUser(String user) {
                return "user-token";
            }

            @Override
            public String forService() {
                return "service-token";
            }

            @Override
            public String renewedForUser(String user, String refused) {
                return "user-token";
            }

            @Override
            public String renewedForService(String refused) {
                return "service-token";
            }
        };
        FirecrestV2Scheduler firecrest = new FirecrestV2Scheduler(server.url(), "daint", tokens, BOUND, JSON);
        Throwable t = failure(() -> firecrest.jobs(Set.of(), "hpcsp-"));
        assertThat(t).isInstanceOf(SchedulerException.class).hasMessageContaining("timed out");
        assertThat(((SchedulerException) t).isTransient()).isTrue();
    }

    @Test
    void keycloakGrantFailsAsUnavailable() {
        KeycloakClient keycloak = new KeycloakClient(oidc, server.url().resolve("/realms/test/"), "hpcspawner",
                () -> "secret", BOUND);
        assertThat(failure(keycloak::clientCredentials)).isInstanceOf(KeycloakUnavailableException.class)
                .hasMessageContaining("timed out");
    }

    @Test
    void jupyterHubTokenCheckFailsAsUnavailable() {
        JupyterHubTokens hub = new JupyterHubTokens(server.url().resolve("/hub/api"),
                new JupyterHubTokens.Limits(Duration.ofMinutes(1), 10, BOUND, 100, 100), Clock.systemUTC(), JSON);
        assertThat(failure(() -> hub.ownerOf("some-token"))).isInstanceOf(TokenCheckUnavailable.class);
    }
}
