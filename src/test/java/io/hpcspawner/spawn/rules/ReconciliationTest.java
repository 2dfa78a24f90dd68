package io.hpcspawner.spawn.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.ReadySignal;
import io.hpcspawner.spawn.model.WatchRules;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.rules.Reconciliation.Adopt;
import io.hpcspawner.spawn.rules.Reconciliation.CancelAgain;
import io.hpcspawner.spawn.rules.Reconciliation.Follow;
import io.hpcspawner.spawn.rules.Reconciliation.GiveUpStart;
import io.hpcspawner.spawn.rules.Reconciliation.LookUp;
import io.hpcspawner.spawn.rules.Reconciliation.Missing;
import io.hpcspawner.spawn.rules.Reconciliation.Observe;
import io.hpcspawner.spawn.rules.Reconciliation.Wait;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The reconciler's decisions for one record and one listing (design issue 12, §2.3), without
 * Quarkus: cut-off submits adopted or given up, start timeouts, missing jobs, stops whose job
 * lives on, listings in doubt.
 */
class ReconciliationTest {

    private static final Instant CREATED = Instant.parse("2026-12-02T16:00:00Z");
    private static final WatchRules RULES = new WatchRules(Duration.ofSeconds(2), Duration.ofSeconds(30), 0.1,
            Duration.ofSeconds(60), Duration.ofMinutes(10), 20, Duration.ofHours(2), 20);

    private static JobInfo job(String id, String name, JobPhase phase) {
        return new JobInfo(id, name, "u", phase, phase == JobPhase.ENDED ? "CANCELLED" : phase.name(),
                Optional.empty(), Optional.empty(), phase == JobPhase.ENDED ? Optional.of(0) : Optional.empty());
    }

    private static ServerRecord cutOff(ServerState state) {
        return ServerRecords.inState(state, null, CREATED);
    }

    @Test
    void aCutOffSubmitAdoptsItsJobByNameAndNoOtherJob() {
        ServerRecord r = cutOff(ServerState.SUBMITTING);
        JobInfo mine = job("7", r.jobName(), JobPhase.PENDING);
        List<JobInfo> listing = List.of(job("6", r.jobName() + "x", JobPhase.RUNNING), mine);
        assertEquals(new Adopt(mine), Reconciliation.cutOff(r, listing, CREATED.plusSeconds(5), RULES));
        assertEquals(new Wait(), Reconciliation.cutOff(r, List.of(listing.get(0)), CREATED.plusSeconds(5), RULES));
    }

    @Test
    void aCutOffSubmitWaitsForItsJobUntilTheSubmitDeadline() {
        ServerRecord r = cutOff(ServerState.SUBMITTING);
        assertEquals(new Wait(), Reconciliation.cutOff(r, List.of(), CREATED.plus(Duration.ofMinutes(9)), RULES));
        assertEquals(new Observe(new Observation.CutOffGivenUp(Duration.ofMinutes(10))),
                Reconciliation.cutOff(r, List.of(), CREATED.plus(Duration.ofMinutes(11)), RULES));
    }

    @Test
    void aStopOfACutOffSubmitWaitsOneGraceForTheJobThenEndsStopped() {
        ServerRecord r = cutOff(ServerState.STOPPING); // entered stopping at CREATED
        assertEquals(new Wait(), Reconciliation.cutOff(r, List.of(), CREATED.plusSeconds(59), RULES));
        assertEquals(new Observe(new Observation.CutOffStopped()),
                Reconciliation.cutOff(r, List.of(), CREATED.plusSeconds(61), RULES));
        JobInfo late = job("8", r.jobName(), JobPhase.RUNNING);
        assertEquals(new Adopt(late), Reconciliation.cutOff(r, List.of(late), CREATED.plusSeconds(61), RULES),
                "a job that appears is adopted, so the stop cancels it");
    }

    @Test
    void aStartPastItsDeadlineIsGivenUpWhateverTheListingSays() {
        ServerRecord r = ServerRecords.inState(ServerState.QUEUED, "5", CREATED);
        JobInfo pending = job("5", r.jobName(), JobPhase.PENDING);
        assertEquals(new Follow(pending), Reconciliation.follow(r, Optional.of(pending), CREATED.plus(Duration.ofMinutes(119)), RULES));
        assertEquals(new GiveUpStart(Duration.ofHours(2)),
                Reconciliation.follow(r, Optional.of(pending), CREATED.plus(Duration.ofMinutes(121)), RULES));
        assertEquals(new GiveUpStart(Duration.ofHours(2)),
                Reconciliation.follow(r, Optional.empty(), CREATED.plus(Duration.ofMinutes(121)), RULES));
        ServerRecord running = ServerRecords.inState(ServerState.RUNNING, "5", CREATED);
        assertEquals(new Follow(pending), Reconciliation.follow(running, Optional.of(pending),
                CREATED.plus(Duration.ofHours(5)), RULES), "a running server has no start deadline");
    }

    @Test
    void aStopWhoseJobLivesCancelsAgainAndOneWhoseJobEndedEnds() {
        ServerRecord r = ServerRecords.inState(ServerState.STOPPING, "5", CREATED);
        Instant now = CREATED.plusSeconds(10);
        assertEquals(new CancelAgain(), Reconciliation.follow(r, Optional.of(job("5", r.jobName(), JobPhase.RUNNING)), now, RULES));
        assertEquals(new CancelAgain(), Reconciliation.follow(r, Optional.of(job("5", r.jobName(), JobPhase.PENDING)), now, RULES));
        assertEquals(new Observe(new Observation.JobEnded("CANCELLED", 0, "")),
                Reconciliation.follow(r, Optional.of(job("5", r.jobName(), JobPhase.ENDED)), now, RULES));
    }

    @Test
    void aJobLeftOutIsLookedUpOnlyAfterTheGrace() {
        ServerRecord r = ServerRecords.inState(ServerState.QUEUED, "5", CREATED);
        assertEquals(new Missing(), Reconciliation.follow(r, Optional.empty(), CREATED.plusSeconds(1), RULES));
        assertEquals(new Wait(), Reconciliation.missing(r, CREATED.plusSeconds(600), RULES), "not noted missing yet");
        r.apply(Lifecycle.decide(r, new Observation.JobMissing(), CREATED).orElseThrow(), CREATED);
        assertEquals(new Wait(), Reconciliation.missing(r, CREATED.plusSeconds(59), RULES));
        assertEquals(new LookUp(), Reconciliation.missing(r, CREATED.plusSeconds(61), RULES));
    }

    @Test
    void aListingLeavingOutManyJobsAtOnceIsInDoubt() {
        assertEquals(Optional.of("the listing left out 3 of 4 jobs at once"),
                Reconciliation.doubt(Set.of("1", "2", "3", "4"), Set.of("4")));
        assertEquals(Optional.empty(), Reconciliation.doubt(Set.of("1", "2"), Set.of()), "two jobs may simply end together");
        assertEquals(Optional.empty(), Reconciliation.doubt(Set.of("1", "2", "3", "4", "5", "6", "7"), Set.of("4", "5", "6", "7")),
                "fewer than half");
    }

    @Test
    void aCallbackSystemReadsTheOutputOnlyAsAFallback() {
        ServerRecord r = ServerRecords.inState(ServerState.STARTING, "5", CREATED);
        Optional<Instant> never = Optional.empty();
        assertTrue(Reconciliation.readsOutput(r, ReadySignal.OUTPUT, CREATED.plusSeconds(1), never, RULES));
        assertFalse(Reconciliation.readsOutput(r, ReadySignal.CALLBACK, CREATED.plusSeconds(14), never, RULES));
        assertTrue(Reconciliation.readsOutput(r, ReadySignal.CALLBACK, CREATED.plusSeconds(16), never, RULES));
    }

    /**
     * In a wave of thousands of starts whose callbacks are late, reading each one's output every
     * round (2 s) was ~140,000 calls: the fallback reads a start's output again only after a
     * quarter of the time it has been starting, at least the fast and at most the slow interval.
     */
    @Test
    void theFallbackReadsALateStartsOutputLessOftenTheLongerItWaits() {
        ServerRecord r = ServerRecords.inState(ServerState.STARTING, "5", CREATED);
        Optional<Instant> at16 = Optional.of(CREATED.plusSeconds(16));
        assertFalse(Reconciliation.readsOutput(r, ReadySignal.CALLBACK, CREATED.plusSeconds(18), at16, RULES),
                "18 s starting: not within a quarter of that (4.5 s) of the last read");
        assertTrue(Reconciliation.readsOutput(r, ReadySignal.CALLBACK, CREATED.plusSeconds(22), at16, RULES));
        Optional<Instant> at200 = Optional.of(CREATED.plusSeconds(200));
        assertFalse(Reconciliation.readsOutput(r, ReadySignal.CALLBACK, CREATED.plusSeconds(229), at200, RULES),
                "at most every slow interval (30 s)");
        assertTrue(Reconciliation.readsOutput(r, ReadySignal.CALLBACK, CREATED.plusSeconds(230), at200, RULES));
        assertTrue(Reconciliation.readsOutput(r, ReadySignal.OUTPUT, CREATED.plusSeconds(201), at200, RULES),
                "where the output is the ready signal, every round");
    }
}
