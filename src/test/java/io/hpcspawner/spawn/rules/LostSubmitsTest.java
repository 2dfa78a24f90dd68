package io.hpcspawner.spawn.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The look-up of a lost submit's job by its name, shared by the guard, the launcher, the patient submit and the reconciler. */
class LostSubmitsTest {

    private static final String NAME = "hpcsp-test01-abc";

    private static JobInfo job(String id, String name, JobPhase phase) {
        return new JobInfo(id, name, "u", phase, phase.name(), Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static Optional<String> idOf(List<JobInfo> listing) {
        return LostSubmits.byName(listing, NAME).map(JobInfo::id);
    }

    @Test
    void onlyTheExactNameCounts() {
        assertEquals(Optional.empty(), idOf(List.of()));
        assertEquals(Optional.empty(), idOf(List.of(job("1", NAME + "d", JobPhase.RUNNING),
                job("2", "hpcsp-test01-ab", JobPhase.PENDING))));
        assertEquals(Optional.of("3"), idOf(List.of(job("1", NAME + "d", JobPhase.RUNNING),
                job("3", NAME, JobPhase.PENDING))));
    }

    /** The same-name tie (design issue 12, §2.3): a job that has not ended wins over one listed before it that has. */
    @Test
    void aJobAliveWinsOverAnEndedOneOfTheSameName() {
        assertEquals(Optional.of("2"), idOf(List.of(job("1", NAME, JobPhase.ENDED), job("2", NAME, JobPhase.PENDING),
                job("3", NAME, JobPhase.RUNNING))));
    }

    @Test
    void otherwiseTheFirstListedWins() {
        assertEquals(Optional.of("1"), idOf(List.of(job("1", NAME, JobPhase.RUNNING), job("2", NAME, JobPhase.PENDING))));
        assertEquals(Optional.of("1"), idOf(List.of(job("1", NAME, JobPhase.ENDED), job("2", NAME, JobPhase.ENDED))));
    }
}
