package io.hpcspawner.probe;

import java.time.Instant;
import java.util.Optional;

/** What the service's own record says of the check's server: its job, node and state, for the step times. */
@FunctionalInterface
public interface ServerView {

    /**
     * The record of a start made since {@code since}.
     *
     * @param state the record's state's wire name, e.g. {@code queued}
     * @param message the record's message (the reason, for a failed start)
     */
    record Seen(String state, String jobId, String node, String message) {
    }

    Optional<Seen> seen(String user, String server, Instant since);
}
