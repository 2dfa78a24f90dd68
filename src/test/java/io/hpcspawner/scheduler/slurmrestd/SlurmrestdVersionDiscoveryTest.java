package io.hpcspawner.scheduler.slurmrestd;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SystemHealth;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code api-version=auto}: the version comes from the server's {@code GET /openapi/v3} on first
 * use (the real documents of Slurm 24.11 and 22.05), once; a server that cannot be reached is
 * asked again later; one that offers no supported version gets a clear, final error.
 */
class SlurmrestdVersionDiscoveryTest {

    @RegisterExtension
    static final WireMockExtension wiremock = SlurmrestdContractTest.standIn();

    static final String JOBS = "{\"jobs\": [], \"last_backfill\": {}, \"last_update\": {}, \"errors\": [], \"warnings\": []}";

    static void document(String resource) {
        wiremock.stubFor(get(urlPathEqualTo("/openapi/v3")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(SlurmrestdSpecs.read(resource))));
    }

    static void jobs(String path) {
        wiremock.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(JOBS)));
    }

    static int documentRequests() {
        return wiremock.findAll(getRequestedFor(urlPathEqualTo("/openapi/v3"))).size();
    }

    @Test
    void slurm2411IsSpokenInV0042AskedOnce() {
        document(SlurmrestdSpecs.SLURM_24_11);
        jobs("/slurm/v0.0.42/jobs/");
        SlurmrestdScheduler slurm = SlurmrestdContractTest.adapter(wiremock, Optional.empty());
        assertThat(wiremock.getAllServeEvents()).isEmpty(); // nothing asked at construction: starts while slurmrestd is down

        assertThat(slurm.jobs(Set.of("1"), "hpcsp-")).isEmpty();
        assertThat(slurm.jobs(Set.of("1"), "hpcsp-")).isEmpty();

        assertThat(documentRequests()).isEqualTo(1);
        assertThat(wiremock.findAll(getRequestedFor(urlPathEqualTo("/slurm/v0.0.42/jobs/")))).hasSize(2);
    }

    @Test
    void slurm2205IsSpokenInV0038() {
        document(SlurmrestdSpecs.SLURM_22_05);
        jobs("/slurm/v0.0.38/jobs");
        assertThat(SlurmrestdContractTest.adapter(wiremock, Optional.empty()).jobs(Set.of("1"), "hpcsp-")).isEmpty();
    }

    @Test
    void aServerThatDoesNotAnswerIsAskedAgainOnTheNextUse() {
        wiremock.stubFor(get(urlPathEqualTo("/openapi/v3")).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        SlurmrestdScheduler slurm = SlurmrestdContractTest.adapter(wiremock, Optional.empty());

        assertThatThrownBy(() -> slurm.jobs(Set.of("1"), "hpcsp-")).isInstanceOf(SchedulerException.class)
                .matches(e -> ((SchedulerException) e).isTransient(), "transient");
        assertThat(slurm.health().state()).isEqualTo(SystemHealth.State.UNHEALTHY);

        document(SlurmrestdSpecs.SLURM_24_11);
        jobs("/slurm/v0.0.42/jobs/");
        assertThat(slurm.jobs(Set.of("1"), "hpcsp-")).isEmpty();
    }

    @Test
    void aServerOfferingNoSupportedVersionGetsAFinalErrorNamingBoth() {
        wiremock.stubFor(get(urlPathEqualTo("/openapi/v3")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody("{\"openapi\": \"3.0.3\", \"paths\": {"
                        + "\"/slurm/v0.0.39/jobs/\": {}, \"/slurm/v0.0.43/jobs/\": {}, \"/slurmdb/v0.0.43/jobs/\": {}}}")));
        SlurmrestdScheduler slurm = SlurmrestdContractTest.adapter(wiremock, Optional.empty());

        assertThatThrownBy(() -> slurm.submit(SlurmrestdContractTest.submission(List.of())))
                .isInstanceOf(SchedulerException.class)
                .hasMessageContaining("offers API v0.0.39, v0.0.43")
                .hasMessageContaining("this service speaks v0.0.38, v0.0.40, v0.0.41, v0.0.42")
                .matches(e -> !((SchedulerException) e).isTransient(), "not transient");
        assertThat(slurm.health()).satisfies(h -> {
            assertThat(h.state()).isEqualTo(SystemHealth.State.UNHEALTHY);
            assertThat(h.detail()).contains("offers API v0.0.39, v0.0.43");
        });
        assertThat(documentRequests()).isEqualTo(1); // the server's answer is final
    }

    @Test
    void aConfiguredVersionAsksNoDocument() {
        jobs("/slurm/v0.0.41/jobs/");
        assertThat(SlurmrestdContractTest.adapter(wiremock, Optional.of(SlurmrestdApiVersion.V0_0_41)).jobs(Set.of("1"), "x"))
                .isEmpty();
        assertThat(documentRequests()).isZero();
    }
}
