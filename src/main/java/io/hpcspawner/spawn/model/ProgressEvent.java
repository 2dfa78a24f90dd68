package io.hpcspawner.spawn.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One line of progress shown to the user while a server starts; {@code id} counts from 1 within a
 * start so a client can resume a stream. The last event of a start is ready, failed or stopped; a
 * failed one may carry a {@code code} (e.g. {@code scheduler_unavailable}) saying why, for clients.
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record ProgressEvent(long id, int progress, String message, ServerState state,
        boolean ready, boolean failed, boolean stopped, String url, Instant at, String code) {

    public ProgressEvent(long id, int progress, String message, ServerState state, boolean ready, boolean failed,
            boolean stopped, String url, Instant at) {
        this(id, progress, message, state, ready, failed, stopped, url, at, null);
    }

    public boolean isTerminal() {
        return ready || failed || stopped;
    }
}
