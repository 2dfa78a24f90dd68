package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.ServerRecord;
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
import io.hpcspawner.spawn.rules.Observation.SubmitUnreachable;
import io.hpcspawner.spawn.rules.Observation.SubmitWaiting;
import io.hpcspawner.spawn.rules.Observation.SubmitWithdrawn;
import io.hpcspawner.spawn.rules.Observation.Submitted;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The lifecycle's rules: what an observation does to a server in its current state (the table in
 * docs/lifecycle.md and LifecycleTableTest). Pure: no I/O, no clock of its own, nothing changed;
 * the caller applies the {@link Change} to the record under the server's lock.
 */
public final class Lifecycle {

    /** How far the scheduler's estimated start must move for a new progress event. */
    static final Duration ESTIMATE_MOVED = Duration.ofMinutes(1);

    private Lifecycle() {
    }

    /** The change {@code seen} makes to {@code current} at {@code now}; empty when it changes nothing. */
    public static Optional<Change> decide(ServerRecord current, Observation seen, Instant now) {
        ServerState s = current.state();
        if (seen instanceof Begin b) {
            return s != null ? Optional.empty() : move(ServerState.SUBMITTING,
                    Messages.submitting(current.system(), current.profile(), b.cpus(), b.timeLimitMinutes()));
        }
        if (s == null) {
            return Optional.empty(); // not begun: nothing else applies
        }
        if (seen instanceof Failure f) {
            return failed(current, f);
        }
        if (seen instanceof Submitted o) {
            List<Edit> id = List.of(new JobId(o.jobId()));
            return s == ServerState.SUBMITTING
                    ? move(ServerState.QUEUED, Messages.submitted(o.jobId(), current.system()), id)
                    : edit(s, id); // stopping: the launcher cancels the job at once
        }
        if (seen instanceof SubmitWaiting o) {
            return s == ServerState.SUBMITTING ? move(s, o.text()) : Optional.empty();
        }
        if (seen instanceof SubmitWithdrawn) {
            return stop(s, Messages.withdrawn(current.system()), 0);
        }
        if (seen instanceof JobPending o) {
            return pending(current, o.reason().orElse(null), o.expectedStart().orElse(null),
                    o.queuePosition().orElse(null));
        }
        if (seen instanceof JobRunning o) {
            return running(current, o);
        }
        if (seen instanceof Ready o) {
            return !s.isStarting() ? Optional.empty() : move(ServerState.RUNNING, Messages.ready(o.host(), o.port()),
                    List.of(new PendingReason(null), new ExpectedStart(null), new QueuePosition(null), new Node(o.node()), new Endpoint(o.host(), o.port(), url(o))));
        }
        if (seen instanceof StopAsked) {
            return s.isActive() && s != ServerState.STOPPING
                    ? move(ServerState.STOPPING, Messages.stopping(current.jobId()))
                    : Optional.empty();
        }
        if (seen instanceof CancelTaken) {
            return stop(s, Messages.cancelled(current.jobId()), 0);
        }
        if (seen instanceof CancelFailed o) {
            String text = o.transientFailure() ? Messages.cancelRetrying(current.jobId(), o.error())
                    : Messages.cancelRefused(current.jobId(), o.error());
            return s != ServerState.STOPPING || text.equals(current.message()) ? Optional.empty() : move(s, text);
        }
        if (seen instanceof JobEnded o) {
            return s == ServerState.STOPPING ? stop(s, Messages.stoppedJobEnded(current.jobId(), o.how()), 0)
                    : ended(current, o);
        }
        if (seen instanceof JobGone o) {
            return s == ServerState.STOPPING ? stop(s, Messages.stoppedJobGone(current.jobId()), 0)
                    : ended(current, new JobEnded(Messages.goneFromScheduler(), null, o.outputNote()));
        }
        if (seen instanceof CutOffStopped) {
            return stop(s, Messages.cutOffStopped(), 0);
        }
        if (seen instanceof SchedulerUnknown) {
            return current.unknownSince() != null ? Optional.empty() : edit(s, List.of(new UnknownSince(now)));
        }
        if (seen instanceof JobMissing) {
            return current.missingSince() != null ? Optional.empty() : edit(s, List.of(new MissingSince(now)));
        }
        throw new IllegalArgumentException("no rule for " + seen);
    }

    /** A failed start; a failure while stopping is a stop, and an ended start stays as it ended. */
    private static Optional<Change> failed(ServerRecord r, Failure f) {
        ServerState s = r.state();
        if (s.isTerminal()) {
            return Optional.empty();
        }
        if (s == ServerState.STOPPING) {
            return stop(s, Messages.stopped(), 0);
        }
        String code = f instanceof SubmitUnreachable ? SubmitUnreachable.CODE : null;
        return fail(failure(r, f), code, 1);
    }

    private static String failure(ServerRecord r, Failure f) {
        if (f instanceof SubmitUnreachable o) {
            return o.text();
        }
        if (f instanceof SubmitFailed o) {
            return switch (o.why()) {
                case LOGIN_REQUIRED -> Messages.loginRequired(o.error(), r.system());
                case UNCONFIRMED -> Messages.unconfirmed(r.system(), o.error());
                case REFUSED -> Messages.refused(r.system(), o.error());
            };
        }
        if (f instanceof SubmitCrashed o) {
            return Messages.internalError(o.exception());
        }
        if (f instanceof StartTimedOut o) {
            return Messages.startTimedOut(o.allowed(), r.jobId());
        }
        if (f instanceof CutOffGivenUp o) {
            return Messages.cutOffGivenUp(o.submitDeadline());
        }
        throw new IllegalArgumentException("no message for " + f);
    }

    /** The job ended: a running server stopped, a start failed. */
    private static Optional<Change> ended(ServerRecord r, JobEnded o) {
        ServerState s = r.state();
        if (s.isTerminal()) {
            return Optional.empty();
        }
        if (s == ServerState.RUNNING) {
            return stop(s, Messages.serverEnded(r.jobId(), o.how(), o.exitCode()), o.exitCode() == null ? 0 : o.exitCode());
        }
        Integer exit = o.exitCode() == null || o.exitCode() == 0 ? 1 : o.exitCode();
        return fail(Messages.endedBeforeReady(r.jobId(), o.how(), o.exitCode(), o.outputNote()), null, exit);
    }

    /**
     * A queued job: a progress event when it was submitting, or its reason changed, or the
     * scheduler's estimate of its start came, went or moved by more than {@link #ESTIMATE_MOVED}
     * (not at each poll while it drifts by seconds), or its position in the queue changed.
     */
    private static Optional<Change> pending(ServerRecord r, String why, Instant expected, Integer position) {
        ServerState s = r.state();
        if (s == ServerState.SUBMITTING || s == ServerState.QUEUED && (!Objects.equals(why, r.pendingReason())
                || estimateMoved(r.expectedStart(), expected) || !Objects.equals(position, r.queuePosition()))) {
            return move(ServerState.QUEUED, Messages.queued(r.jobId(), why, position, expected, r.startDeadline()),
                    List.of(new DoubtsCleared(), new PendingReason(why), new ExpectedStart(expected),
                            new QueuePosition(position)));
        }
        return clearDoubts(r);
    }

    private static boolean estimateMoved(Instant before, Instant now) {
        if (before == null || now == null) {
            return before != now;
        }
        return Duration.between(before, now).abs().compareTo(ESTIMATE_MOVED) > 0;
    }

    private static Optional<Change> running(ServerRecord r, JobRunning o) {
        ServerState s = r.state();
        if (s == ServerState.SUBMITTING || s == ServerState.QUEUED) {
            List<Edit> edits = new ArrayList<>(List.of(new DoubtsCleared(), new PendingReason(null),
                    new ExpectedStart(null), new QueuePosition(null)));
            o.node().ifPresent(n -> edits.add(new Node(n)));
            return move(ServerState.STARTING, Messages.running(r.jobId(), o.node()), edits);
        }
        return clearDoubts(r);
    }

    /** The scheduler showed the job: doubts about it go (a change only when there were any). */
    private static Optional<Change> clearDoubts(ServerRecord r) {
        return r.unknownSince() == null && r.missingSince() == null ? Optional.empty()
                : edit(r.state(), List.of(new DoubtsCleared()));
    }

    private static String url(Ready o) {
        return "http://" + (o.host().contains(":") ? "[" + o.host() + "]" : o.host()) + ":" + o.port();
    }

    private static Optional<Change> stop(ServerState s, String text, int exitCode) {
        return s.isTerminal() ? Optional.empty() : Optional.of(new Change(ServerState.STOPPED, Optional.of(text),
                Optional.empty(), Optional.of(exitCode), List.of()));
    }

    private static Optional<Change> fail(String text, String code, int exitCode) {
        return Optional.of(new Change(ServerState.FAILED, Optional.of(text), Optional.ofNullable(code),
                Optional.of(exitCode), List.of()));
    }

    private static Optional<Change> move(ServerState next, String text) {
        return move(next, text, List.of());
    }

    private static Optional<Change> move(ServerState next, String text, List<Edit> edits) {
        return Optional.of(new Change(next, Optional.of(text), Optional.empty(), Optional.empty(), edits));
    }

    private static Optional<Change> edit(ServerState same, List<Edit> edits) {
        return Optional.of(new Change(same, Optional.empty(), Optional.empty(), Optional.empty(), edits));
    }
}
