package io.hpcspawner.spawn.model;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one observation changes in a server's record: the state it is in next (maybe the same),
 * the message that goes with it (present: the record enters the state with this message and the
 * user sees a progress event), the failed event's code, the exit code and the other fields set.
 */
public record Change(ServerState state, Optional<String> message, Optional<String> code, Optional<Integer> exitCode,
        List<Edit> edits) {

    public Change {
        edits = List.copyOf(edits);
    }

    /** True when the user sees a progress event for this change. */
    public boolean event() {
        return message.isPresent();
    }

    /** One field of the record set to a new value. */
    public sealed interface Edit {
    }

    /** The start's job id. */
    public record JobId(String value) implements Edit {
    }

    /** The node the job runs on. */
    public record Node(String value) implements Edit {
    }

    /** Where the server listens. */
    public record Endpoint(String host, int port, String url) implements Edit {
    }

    /** The scheduler's pending reason ({@code null}: none). */
    public record PendingReason(String value) implements Edit {
    }

    /** When the scheduler expects the queued job to start ({@code null}: no estimate). */
    public record ExpectedStart(Instant value) implements Edit {
    }

    /** Where the queued job stands in its partition's queue, 1 being next ({@code null}: not known). */
    public record QueuePosition(Integer value) implements Edit {
    }

    /** The doubts about the job (unknown since, missing since) are cleared: the scheduler showed it. */
    public record DoubtsCleared() implements Edit {
    }

    /** The scheduler's view of the job is unknown since {@code at}. */
    public record UnknownSince(Instant at) implements Edit {
    }

    /** The job is missing from the listings since {@code at}. */
    public record MissingSince(Instant at) implements Edit {
    }
}
