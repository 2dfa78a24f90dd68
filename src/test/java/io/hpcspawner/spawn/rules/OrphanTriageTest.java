package io.hpcspawner.spawn.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which unowned jobs are cancelled, held for an operator or only counted, without Quarkus: only
 * this deployment's jobs are ever cancelled on their own, and never many at once.
 */
class OrphanTriageTest {

    private static final Instant BEGAN = Instant.parse("2026-12-01T00:00:00Z");
    private static final JobNames NAMES = new JobNames("hpcsp", new DeploymentIdentity("dep001", BEGAN));

    private static JobInfo job(String id, String name, JobPhase phase, String state, Instant submitted) {
        return new JobInfo(id, name, "u", phase, state, Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.ofNullable(submitted));
    }

    private static JobInfo ours(String id) {
        return job(id, "hpcsp-dep001-" + "abcdefghij" + String.format("%02d", Integer.parseInt(id) % 100), JobPhase.RUNNING,
                "RUNNING", BEGAN.plusSeconds(60));
    }

    private static List<String> ids(List<JobInfo> jobs) {
        return jobs.stream().map(JobInfo::id).toList();
    }

    @Test
    void onlyThisDeploymentsLiveUnownedJobsAreCancelled() {
        JobInfo owned = ours("1");
        JobInfo orphan = ours("2");
        List<JobInfo> listing = List.of(owned, orphan,
                job("3", ours("3").name(), JobPhase.ENDED, "COMPLETED", null),
                job("4", ours("4").name(), JobPhase.RUNNING, "COMPLETING", null),
                job("5", "other-prefix-job", JobPhase.RUNNING, "RUNNING", null),
                job("6", "hpcsp-dep002-abcdefghij06", JobPhase.RUNNING, "RUNNING", null),
                job("7", "hpcsp-dep002-abcdefghij07", JobPhase.PENDING, "PENDING", null));
        OrphanTriage.Verdict v = OrphanTriage.triage(listing, Set.of(owned.name()), NAMES, BEGAN, 3, Set.of());
        assertEquals(List.of("2"), ids(v.cancel()));
        assertEquals(Map.of(), v.held());
        assertEquals(Map.of("dep002", 2), v.otherDeployments(), "other deployments are counted, never touched");
    }

    @Test
    void jobsNoDeploymentCanBeNamedForOrOlderThanTheStoreAreHeld() {
        List<JobInfo> listing = List.of(job("1", "hpcsp-abcdefghij01", JobPhase.RUNNING, "RUNNING", null),
                job("2", ours("2").name(), JobPhase.RUNNING, "RUNNING", BEGAN.minusSeconds(1)));
        OrphanTriage.Verdict v = OrphanTriage.triage(listing, Set.of(), NAMES, BEGAN, 3, Set.of());
        assertEquals(List.of(), v.cancel());
        assertEquals(Map.of("1", "its name carries no deployment id (written by an older version or another tool)",
                "2", "it was submitted before this deployment's store began (2026-12-01T00:00:00Z): the store may have"
                        + " been replaced"), v.held());
    }

    @Test
    void moreOrphansThanTheLimitAreAllHeldUntilReleased() {
        List<JobInfo> listing = List.of(ours("1"), ours("2"), ours("3"), ours("4"));
        OrphanTriage.Verdict v = OrphanTriage.triage(listing, Set.of(), NAMES, BEGAN, 3, Set.of());
        assertEquals(List.of(), v.cancel());
        assertEquals(Set.of("1", "2", "3", "4"), v.held().keySet());
        assertEquals("4 jobs would be cancelled at once (limit 3, hpcspawner.orphans.max-cancels-per-round)",
                v.held().get("1"));
        OrphanTriage.Verdict released = OrphanTriage.triage(listing, Set.of(), NAMES, BEGAN, 3, Set.of("2", "4"));
        assertEquals(List.of("2", "4"), ids(released.cancel()), "released ones go, the rest wait");
        assertEquals(Set.of("1", "3"), released.held().keySet());
    }

    @Test
    void aReleasedJobHeldForItsNameIsCancelled() {
        List<JobInfo> listing = List.of(job("1", "hpcsp-abcdefghij01", JobPhase.RUNNING, "RUNNING", null));
        OrphanTriage.Verdict v = OrphanTriage.triage(listing, Set.of(), NAMES, BEGAN, 3, Set.of("1"));
        assertEquals(List.of("1"), ids(v.cancel()));
        assertEquals(Map.of(), v.held());
    }
}
