package io.hpcspawner.spawn.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hpcspawner.spawn.model.ProgressEvent;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.Change.DoubtsCleared;
import io.hpcspawner.spawn.model.Change.Edit;
import io.hpcspawner.spawn.model.Change.Endpoint;
import io.hpcspawner.spawn.model.Change.ExpectedStart;
import io.hpcspawner.spawn.model.Change.QueuePosition;
import io.hpcspawner.spawn.model.Change.JobId;
import io.hpcspawner.spawn.model.Change.MissingSince;
import io.hpcspawner.spawn.model.Change.Node;
import io.hpcspawner.spawn.model.Change.PendingReason;
import io.hpcspawner.spawn.model.Change.UnknownSince;
import io.hpcspawner.spawn.model.Change;
import io.hpcspawner.spawn.rules.Observation.Begin;
import io.hpcspawner.spawn.rules.Observation.CancelFailed;
import io.hpcspawner.spawn.rules.Observation.CancelTaken;
import io.hpcspawner.spawn.rules.Observation.CutOffGivenUp;
import io.hpcspawner.spawn.rules.Observation.CutOffStopped;
import io.hpcspawner.spawn.rules.Observation.Failure;
import io.hpcspawner.spawn.rules.Observation.JobEnded;
import io.hpcspawner.spawn.rules.Observation.JobGone;
import io.hpcspawner.spawn.rules.Observation.JobMissing;
import io.hpcspawner.spawn.rules.Observation.JobPending;
import io.hpcspawner.spawn.rules.Observation.JobRunning;
import io.hpcspawner.spawn.rules.Observation.Ready;
import io.hpcspawner.spawn.rules.Observation.SchedulerUnknown;
import io.hpcspawner.spawn.rules.Observation.StartTimedOut;
import io.hpcspawner.spawn.rules.Observation.StopAsked;
import io.hpcspawner.spawn.rules.Observation.SubmitCrashed;
import io.hpcspawner.spawn.rules.Observation.SubmitFailed;
import io.hpcspawner.spawn.rules.Observation.SubmitFailure;
import io.hpcspawner.spawn.rules.Observation.SubmitUnreachable;
import io.hpcspawner.spawn.rules.Observation.SubmitWaiting;
import io.hpcspawner.spawn.rules.Observation.SubmitWithdrawn;
import io.hpcspawner.spawn.rules.Observation.Submitted;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The lifecycle's table (docs/lifecycle.md; design issue 12, §2.2): every state × every kind of
 * observation, with the texts the user sees written out here as literals, so a changed rule or a
 * changed word fails. Row numbers are the design's.
 */
class LifecycleTableTest {

    private static final Instant CREATED = Instant.parse("2026-12-02T16:00:00Z");
    private static final Instant NOW = Instant.parse("2026-12-02T17:00:00Z");
    private static final Instant ESTIMATE = Instant.parse("2026-12-02T18:05:00Z");
    private static final String JOB = "4242";
    private static final String OUTPUT = " Its output is not shown: the output file is a link";

    /** One of every kind of observation (and both ends of those whose outcome depends on their values). */
    static List<Observation> observations() {
        return List.of(
                new Submitted("4243"),
                new SubmitWaiting("The cluster testsys cannot be reached (down); trying again in 5 s, until 16:10:00 UTC"),
                new SubmitUnreachable("The cluster testsys could not be reached (down); tried 3 times since 16:00:00 UTC."
                        + " No job was submitted: please start the server again later."),
                new SubmitWithdrawn(),
                new SubmitFailed(SubmitFailure.LOGIN_REQUIRED, "the login of u is over"),
                new SubmitFailed(SubmitFailure.UNCONFIRMED, "read timed out"),
                new SubmitFailed(SubmitFailure.REFUSED, "invalid partition"),
                new SubmitCrashed("NullPointerException"),
                new JobPending(Optional.of("Priority")),
                new JobPending(Optional.of("Priority"), Optional.of(ESTIMATE)),
                new JobRunning(Optional.of("nid001")),
                new Ready("nid001", "nid001.cluster", 8888),
                new StopAsked(),
                new CancelTaken(),
                new CancelFailed(true, "read timed out"),
                new CancelFailed(false, "no login for u"),
                new JobEnded("FAILED", 2, OUTPUT),
                new JobEnded("COMPLETED", 0, ""),
                new JobEnded("CANCELLED", null, ""),
                new JobGone(OUTPUT),
                new StartTimedOut(Duration.ofMinutes(10)),
                new CutOffStopped(),
                new CutOffGivenUp(Duration.ofMinutes(15)),
                new SchedulerUnknown("connection refused"),
                new JobMissing());
    }

    static Stream<Arguments> everyStateAndObservation() {
        return Arrays.stream(ServerState.values())
                .flatMap(s -> observations().stream().map(o -> Arguments.of(s, o)));
    }

    /** What the table says, in the form of a Change. */
    private record Want(ServerState state, String message, String code, Integer exitCode, List<Edit> edits) {
        static Want of(Change c) {
            return new Want(c.state(), c.message().orElse(null), c.code().orElse(null), c.exitCode().orElse(null),
                    c.edits());
        }
    }

    private static Want move(ServerState next, String message, Edit... edits) {
        return new Want(next, message, null, null, List.of(edits));
    }

    private static Want stopped(String message, int exit) {
        return new Want(ServerState.STOPPED, message, null, exit, List.of());
    }

    private static Want failed(String message, int exit) {
        return new Want(ServerState.FAILED, message, null, exit, List.of());
    }

    private static Want edit(ServerState same, Edit... edits) {
        return new Want(same, null, null, null, List.of(edits));
    }

    /** The table, row by row: null where the observation is ignored. */
    private static Want table(ServerState s, Observation o) {
        boolean starting = s.isStarting();
        boolean terminal = s.isTerminal();
        boolean stopping = s == ServerState.STOPPING;
        if (o instanceof Failure) { // rows 5, 7a-d, 18, 21; 22 while stopping; 23 once ended
            if (terminal) {
                return null;
            }
            if (stopping) {
                return stopped("Stopped", 0);
            }
            Want w = failed(failureText(o), 1);
            return o instanceof SubmitUnreachable
                    ? new Want(w.state(), w.message(), "scheduler_unavailable", w.exitCode(), w.edits()) : w;
        }
        if (o instanceof Submitted) { // rows 2, 3
            return s == ServerState.SUBMITTING
                    ? move(ServerState.QUEUED, "Job 4243 submitted to testsys, waiting in the queue", new JobId("4243"))
                    : edit(s, new JobId("4243"));
        }
        if (o instanceof SubmitWaiting w) { // rows 4, 4'
            return s == ServerState.SUBMITTING ? move(s, w.text()) : null;
        }
        if (o instanceof SubmitWithdrawn) { // row 6
            return terminal ? null : stopped("Stopped before a job was submitted to testsys", 0);
        }
        if (o instanceof JobPending p) { // rows 8, 8' (no doubts to clear here), with Slurm's estimate if any
            return s == ServerState.SUBMITTING || s == ServerState.QUEUED
                    ? move(ServerState.QUEUED, "Job 4242 is waiting in the queue: Priority (jobs with higher priority"
                            + " go first)" + (p.expectedStart().isPresent()
                                    ? ". Slurm expects it to start at 2026-12-02 18:05 UTC" : ""),
                            new DoubtsCleared(), new PendingReason("Priority"),
                            new ExpectedStart(p.expectedStart().orElse(null)),
                            new QueuePosition(p.queuePosition().orElse(null)))
                    : null;
        }
        if (o instanceof JobRunning) { // rows 9, 9'
            return s == ServerState.SUBMITTING || s == ServerState.QUEUED
                    ? move(ServerState.STARTING, "Job 4242 is running on nid001, starting the server", new DoubtsCleared(),
                            new PendingReason(null), new ExpectedStart(null), new QueuePosition(null), new Node("nid001"))
                    : null;
        }
        if (o instanceof Ready) { // rows 10, 10'
            return starting ? move(ServerState.RUNNING, "Server ready at nid001.cluster:8888", new PendingReason(null),
                    new ExpectedStart(null), new QueuePosition(null), new Node("nid001"), new Endpoint("nid001.cluster", 8888, "http://nid001.cluster:8888")) : null;
        }
        if (o instanceof StopAsked) { // rows 11, 11'
            return terminal || stopping ? null : move(ServerState.STOPPING, "Stopping: cancelling job 4242");
        }
        if (o instanceof CancelTaken) { // row 12
            return terminal ? null : stopped("Stopped: job 4242 cancelled", 0);
        }
        if (o instanceof CancelFailed c) { // rows 13, 13'
            return !stopping ? null : move(s, c.transientFailure()
                    ? "Stopping: job 4242 could not be cancelled yet (read timed out); trying again"
                    : "Stopping: job 4242 could not be cancelled (no login for u). The service tries again when you log"
                            + " in to the hub again or stop the server again, and every few minutes; otherwise the job"
                            + " ends at its time limit");
        }
        if (o instanceof JobEnded e) { // rows 14, 16, 17
            if (terminal) {
                return null;
            }
            String how = e.how().toLowerCase() + (e.exitCode() == null ? "" : ", exit code " + e.exitCode());
            if (stopping) {
                return stopped("Stopped: job 4242 " + e.how().toLowerCase(), 0);
            }
            if (s == ServerState.RUNNING) {
                return stopped("The server's job 4242 ended (" + how + ")", e.exitCode() == null ? 0 : e.exitCode());
            }
            return failed("The job 4242 ended (" + how + ") before the server was ready." + e.outputNote(),
                    e.exitCode() == null || e.exitCode() == 0 ? 1 : e.exitCode());
        }
        if (o instanceof JobGone) { // rows 15, 16, 17
            if (terminal) {
                return null;
            }
            return stopping ? stopped("Stopped: job 4242 is gone", 0)
                    : s == ServerState.RUNNING ? stopped("The server's job 4242 ended (gone from the scheduler)", 0)
                    : failed("The job 4242 ended (gone from the scheduler) before the server was ready." + OUTPUT, 1);
        }
        if (o instanceof CutOffStopped) { // row 20
            return terminal ? null : stopped("Stopped before its job was submitted", 0);
        }
        if (o instanceof SchedulerUnknown) { // row 24
            return edit(s, new UnknownSince(NOW));
        }
        if (o instanceof JobMissing) { // row 25
            return edit(s, new MissingSince(NOW));
        }
        throw new AssertionError("no row for " + o);
    }

    private static String failureText(Observation o) {
        if (o instanceof SubmitUnreachable u) {
            return u.text();
        }
        if (o instanceof SubmitFailed f) {
            return switch (f.why()) {
                case LOGIN_REQUIRED -> "The login of u is over (nothing was submitted to testsys)";
                case UNCONFIRMED -> "The cluster testsys did not confirm the job (read timed out) and no job with its"
                        + " name is listed; it was not submitted again. Please start the server again.";
                case REFUSED -> "The cluster testsys did not accept the job: invalid partition";
            };
        }
        if (o instanceof SubmitCrashed) {
            return "Internal error while submitting the job: NullPointerException; see the service log";
        }
        if (o instanceof StartTimedOut) {
            return "The server did not start within 10m; job 4242 was cancelled";
        }
        if (o instanceof CutOffGivenUp) {
            return "The service restarted while submitting the job and no job was created within 15m. Please start"
                    + " the server again.";
        }
        throw new AssertionError("no text for " + o);
    }

    private static Optional<Change> decide(ServerState s, Observation o) {
        return Lifecycle.decide(ServerRecords.inState(s, JOB, CREATED), o, NOW);
    }

    @ParameterizedTest(name = "{0} × {1}")
    @MethodSource("everyStateAndObservation")
    void followsTheTable(ServerState state, Observation seen) {
        assertEquals(Optional.ofNullable(table(state, seen)), decide(state, seen).map(Want::of));
    }

    @ParameterizedTest(name = "{0} × {1}")
    @MethodSource("everyStateAndObservation")
    void noObservationRevivesAnEndedStart(ServerState state, Observation seen) {
        Optional<Change> c = decide(state, seen);
        if (state.isTerminal()) {
            assertTrue(c.isEmpty() || c.get().state() == state && !c.get().event(), () -> c.toString());
        }
    }

    /** Only a job's end or its cancel ends a stopping start, or else rows 6, 20 and 22. */
    @ParameterizedTest(name = "{1}")
    @MethodSource("everyObservation")
    void onlyRows6And20And22EndAStopWithoutTheJob(Observation seen) {
        Optional<Change> c = decide(ServerState.STOPPING, seen);
        if (c.isPresent() && c.get().state().isTerminal()
                && !(seen instanceof JobEnded || seen instanceof JobGone || seen instanceof CancelTaken)) {
            assertEquals(ServerState.STOPPED, c.get().state());
            assertTrue(seen instanceof SubmitWithdrawn || seen instanceof CutOffStopped || seen instanceof Failure
                    && c.get().message().equals(Optional.of("Stopped")), seen::toString);
        }
    }

    static Stream<Observation> everyObservation() {
        return observations().stream();
    }

    @Test
    void everyKindOfObservationIsInTheTable() {
        Set<Class<?>> kinds = new HashSet<>();
        Deque<Class<?>> open = new ArrayDeque<>(List.of(Observation.class));
        while (!open.isEmpty()) {
            Class<?> c = open.pop();
            if (c.isSealed()) {
                open.addAll(List.of(c.getPermittedSubclasses()));
            } else {
                kinds.add(c);
            }
        }
        kinds.remove(Begin.class); // a new record only: beginSubmitsANewStartOnly
        assertEquals(kinds, observations().stream().map(Object::getClass).collect(Collectors.toSet()));
    }

    @Test
    void beginSubmitsANewStartOnly() { // row 1
        Change c = Lifecycle.decide(ServerRecords.inState(null, null, CREATED), new Begin(1, 60), NOW).orElseThrow();
        assertEquals(move(ServerState.SUBMITTING, "Submitting a job to testsys (profile small, 1 CPU, 60 min)"),
                Want.of(c));
        for (ServerState s : ServerState.values()) {
            assertTrue(decide(s, new Begin(1, 60)).isEmpty(), s::toString);
        }
    }

    @Test
    void aJobSeenAgainClearsTheDoubtsWithoutAnEvent() { // rows 8', 9'
        for (ServerState s : List.of(ServerState.STARTING, ServerState.RUNNING, ServerState.STOPPING)) {
            ServerRecord r = ServerRecords.inState(s, JOB, CREATED);
            r.apply(Lifecycle.decide(r, new SchedulerUnknown("x"), NOW).orElseThrow(), NOW);
            for (Observation seen : List.of(new JobPending(Optional.empty()), new JobRunning(Optional.empty()))) {
                assertEquals(edit(s, new DoubtsCleared()), Want.of(Lifecycle.decide(r, seen, NOW).orElseThrow()));
            }
            assertTrue(Lifecycle.decide(r, new SchedulerUnknown("again"), NOW).isEmpty(), "unknown since stays");
        }
    }

    @Test
    void aQueuedJobWithTheSameReasonChangesNothing() { // row 8'
        ServerRecord r = ServerRecords.inState(ServerState.QUEUED, JOB, CREATED);
        r.apply(Lifecycle.decide(r, new JobPending(Optional.of("Resources")), NOW).orElseThrow(), NOW);
        assertEquals("Job 4242 is waiting in the queue: Resources (the nodes are busy; it starts when resources free"
                + " up)", r.message());
        assertTrue(Lifecycle.decide(r, new JobPending(Optional.of("Resources")), NOW).isEmpty());
    }

    @Test
    void theEstimatedStartIsShownWhenItCameMovedByMoreThanAMinuteOrWent() { // row 8' with Slurm's estimate
        ServerRecord r = ServerRecords.inState(ServerState.QUEUED, JOB, CREATED);
        r.apply(Lifecycle.decide(r, new JobPending(Optional.of("Resources")), NOW).orElseThrow(), NOW);
        int events = r.events().size();
        pend(r, ESTIMATE);
        assertEquals("Job 4242 is waiting in the queue: Resources (the nodes are busy; it starts when resources free"
                + " up). Slurm expects it to start at 2026-12-02 18:05 UTC", r.message());
        assertEquals(ESTIMATE, r.expectedStart());
        assertEquals(events + 1, r.events().size());
        assertTrue(Lifecycle.decide(r, pending(ESTIMATE.plusSeconds(60)), NOW).isEmpty(), "a minute: no new event");
        assertTrue(Lifecycle.decide(r, pending(ESTIMATE.minusSeconds(45)), NOW).isEmpty(), "nor earlier");
        pend(r, ESTIMATE.plusSeconds(20 * 60));
        assertEquals(events + 2, r.events().size());
        assertTrue(r.message().endsWith("Slurm expects it to start at 2026-12-02 18:25 UTC"), r.message());
        pend(r, null);
        assertEquals(events + 3, r.events().size());
        assertFalse(r.message().contains("expects"), r.message());
        assertEquals(null, r.expectedStart());
    }

    @Test
    void aStartedJobHasNoEstimatedStartAnyMore() { // row 9
        ServerRecord r = ServerRecords.inState(ServerState.QUEUED, JOB, CREATED);
        pend(r, ESTIMATE);
        r.apply(Lifecycle.decide(r, new JobRunning(Optional.of("nid001")), NOW).orElseThrow(), NOW);
        assertEquals(null, r.expectedStart());
    }

    @Test
    void theQueuedMessageSaysHowManyJobsAreAheadAndANewPositionIsANewEvent() {
        ServerRecord r = ServerRecords.inState(ServerState.QUEUED, JOB, CREATED);
        r.apply(Lifecycle.decide(r, new JobPending(Optional.of("Priority"), Optional.of(ESTIMATE), Optional.of(3)),
                NOW).orElseThrow(), NOW);
        assertEquals("Job 4242 is waiting in the queue: Priority (jobs with higher priority go first). 2 jobs are ahead"
                + " of it in its partition's queue. Slurm expects it to start at 2026-12-02 18:05 UTC", r.message());
        assertEquals(3, r.queuePosition());
        int events = r.events().size();
        assertTrue(Lifecycle.decide(r, new JobPending(Optional.of("Priority"), Optional.of(ESTIMATE), Optional.of(3)),
                NOW).isEmpty(), "the same position: no new event");
        r.apply(Lifecycle.decide(r, new JobPending(Optional.of("Priority"), Optional.of(ESTIMATE), Optional.of(2)),
                NOW).orElseThrow(), NOW);
        assertEquals(events + 1, r.events().size());
        assertTrue(r.message().contains(". 1 job is ahead of it in its partition's queue."), r.message());
        r.apply(Lifecycle.decide(r, new JobPending(Optional.of("Resources"), Optional.empty(), Optional.of(1)),
                NOW).orElseThrow(), NOW);
        assertTrue(r.message().endsWith(". It is next in its partition's queue"), r.message());
        r.apply(Lifecycle.decide(r, new JobRunning(Optional.of("nid001")), NOW).orElseThrow(), NOW);
        assertEquals(null, r.queuePosition(), "a running job has no place in the queue");
    }

    private static JobPending pending(Instant estimate) {
        return new JobPending(Optional.of("Resources"), Optional.ofNullable(estimate));
    }

    private static void pend(ServerRecord r, Instant estimate) {
        r.apply(Lifecycle.decide(r, pending(estimate), NOW).orElseThrow(), NOW);
    }

    @Test
    void theSameCancelFailureIsShownOnce() { // row 13
        ServerRecord r = ServerRecords.inState(ServerState.STOPPING, JOB, CREATED);
        r.apply(Lifecycle.decide(r, new CancelFailed(true, "busy"), NOW).orElseThrow(), NOW);
        assertTrue(Lifecycle.decide(r, new CancelFailed(true, "busy"), NOW).isEmpty());
        assertTrue(Lifecycle.decide(r, new CancelFailed(false, "busy"), NOW).isPresent());
    }

    @Test
    void aReadyServerAnnouncesItsAddress() { // row 10: the event, as the hub reads it
        ServerRecord r = ServerRecords.inState(ServerState.STARTING, JOB, CREATED);
        r.apply(Lifecycle.decide(r, new Ready("nid001", "fd00::5", 8888), NOW).orElseThrow(), NOW);
        ProgressEvent e = r.events().get(r.events().size() - 1);
        assertEquals("http://[fd00::5]:8888", r.url());
        assertTrue(e.ready() && !e.failed() && !e.stopped());
        assertEquals("http://[fd00::5]:8888", e.url());
        assertEquals("Server ready at fd00::5:8888", e.message());
        assertEquals(ServerState.RUNNING, r.state());
        assertEquals(NOW, r.updatedAt());
    }

    @Test
    void aFailedSubmitCarriesItsCodeOnTheEvent() { // row 5
        ServerRecord r = ServerRecords.inState(ServerState.SUBMITTING, null, CREATED);
        r.apply(Lifecycle.decide(r, new SubmitUnreachable("gone"), NOW).orElseThrow(), NOW);
        ProgressEvent e = r.events().get(r.events().size() - 1);
        assertEquals("scheduler_unavailable", e.code());
        assertTrue(e.failed());
        assertEquals(1, r.exitCode());
        assertFalse(e.ready());
    }

    @Test
    void theQueueMessageSaysWhenTheStartIsGivenUp() { // row 8 with a start deadline
        assertEquals("Job 7 is waiting in the queue. The start is given up at 2026-12-02 17:10 UTC if the job has not"
                + " started by then", Messages.queued("7", null, null, NOW.plusSeconds(600)));
    }
}
