package io.hpcspawner.spawn.service;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;

import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.rules.JobNames;
import io.hpcspawner.support.FakeScheduler;
import io.hpcspawner.support.ManagementPort;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Jobs with this deployment's prefix and no server: only this deployment's are cancelled, and only
 * a few at a time; another deployment's are left alone and reported; the rest wait for an operator.
 */
@QuarkusTest
class OrphanSweepTest {

    static final String HUB = "Bearer test-hub-token-0123456789abcdef0123456789";

    @Inject
    FakeScheduler slurm;
    @Inject
    JobNames names;
    @Inject
    OrphanSweep sweep;
    @TestHTTPResource(value = "/", management = true)
    URL management;

    @BeforeEach
    void fresh() {
        slurm.reset();
    }

    String otherDeployment() {
        return names.identity().id().equals("zzzzzz") ? "yyyyyy" : "zzzzzz";
    }

    @Test
    void aJobOfThisDeploymentWithNoServerIsCancelled() {
        FakeScheduler.Job orphan = slurm.addForeign(names.nameFor("zzzzzzzzzzzz"), "bob");
        FakeScheduler.Job stranger = slurm.addForeign("someone-elses-job", "bob");
        await().atMost(Duration.ofSeconds(5)).until(() -> orphan.cancelled);
        assertThat(stranger.cancelled).isFalse();
    }

    @Test
    void anotherDeploymentsJobWithTheSamePrefixIsLeftAloneAndReported() {
        String other = otherDeployment();
        FakeScheduler.Job theirs = slurm.addForeign(names.sharedPrefix() + other + "-abcdefghijkm", "alice");

        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> !theirs.cancelled);
        given().header("Authorization", HUB).get("/api/v1/admin/orphans").then().statusCode(200)
                .body("otherDeployments.testsys", hasKey(other));
        given().baseUri(ManagementPort.url(management)).get("/q/health/group/systems").then()
                .body("checks.find { it.name == 'job-ownership' }.data", hasKey("other-deployment.testsys." + other));
    }

    @Test
    void aJobWhoseNameNamesNoDeploymentIsHeldUntilAnOperatorReleasesIt() {
        FakeScheduler.Job legacy = slurm.addForeign(names.sharedPrefix() + "zzzzzzzzzzzz", "bob");

        await().atMost(Duration.ofSeconds(3)).until(() -> sweep.held().stream().anyMatch(h -> h.jobId().equals(legacy.id)));
        assertThat(legacy.cancelled).isFalse();
        given().header("Authorization", HUB).get("/api/v1/admin/orphans").then().statusCode(200)
                .body("held.jobId", hasItem(legacy.id));
        given().baseUri(ManagementPort.url(management)).get("/q/health/group/systems").then().statusCode(503);

        given().header("Authorization", HUB).contentType(ContentType.JSON).body("{\"jobIds\": [\"" + legacy.id + "\"]}")
                .post("/api/v1/admin/orphans/release").then().statusCode(200).body("released.jobId", hasItem(legacy.id));

        await().atMost(Duration.ofSeconds(3)).until(() -> legacy.cancelled);
        await().atMost(Duration.ofSeconds(3)).until(() -> sweep.held().isEmpty());
    }

    @Test
    void manyOrphansAtOnceAreHeldNotCancelled() {
        FakeScheduler own = new FakeScheduler();
        for (int i = 0; i < 5; i++) {
            own.addForeign(names.nameFor("massorphan" + (char) ('a' + i) + "x"), "bob");
        }
        List<JobInfo> listing = own.jobs(Set.of(), names.sharedPrefix());
        assertThat(listing).hasSize(5);

        sweep.sweep("mass-orphans", own, listing, Set.of());

        assertThat(own.cancels.get()).as("an emptied store must not end every server").isZero();
        assertThat(sweep.held()).filteredOn(h -> h.system().equals("mass-orphans")).hasSize(5)
                .allSatisfy(h -> assertThat(h.reason()).contains("5 jobs would be cancelled at once (limit 3"));

        given().header("Authorization", HUB).contentType(ContentType.JSON).body("{}")
                .post("/api/v1/admin/orphans/release").then().statusCode(200);
        sweep.sweep("mass-orphans", own, own.jobs(Set.of(), names.sharedPrefix()), Set.of());

        assertThat(own.cancels.get()).isEqualTo(5);
        assertThat(sweep.held()).filteredOn(h -> h.system().equals("mass-orphans")).isEmpty();
    }

    @Test
    void anOrphanSubmittedBeforeThisDeploymentsStoreBeganIsHeld() {
        FakeScheduler own = new FakeScheduler();
        FakeScheduler.Job old = own.addForeign(names.nameFor("oldorphan234"), "bob");
        old.submittedAt = names.identity().createdAt().minus(Duration.ofHours(1));

        sweep.sweep("old-orphans", own, own.jobs(Set.of(), names.sharedPrefix()), Set.of());

        assertThat(old.cancelled).isFalse();
        assertThat(sweep.held()).filteredOn(h -> h.system().equals("old-orphans")).singleElement()
                .satisfies(h -> assertThat(h.reason()).contains("before this deployment's store began"));

        sweep.release(java.util.Optional.of(List.of(old.id)));
        sweep.sweep("old-orphans", own, own.jobs(Set.of(), names.sharedPrefix()), Set.of());
        assertThat(old.cancelled).isTrue();
        assertThat(sweep.held()).filteredOn(h -> h.system().equals("old-orphans")).isEmpty();
    }

    @Test
    void releasingIsForTheHubOnly() {
        given().header("Authorization", "Bearer test-alice-token").contentType(ContentType.JSON).body("{}")
                .post("/api/v1/admin/orphans/release").then().statusCode(403);
        given().get("/api/v1/admin/orphans").then().statusCode(401);
    }
}
