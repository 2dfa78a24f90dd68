package io.hpcspawner.spawn.model;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a server is in its life: from the submit of its job to its end. */
public enum ServerState {
    SUBMITTING(10, "Submitting the job"),
    QUEUED(30, "Waiting in the queue"),
    STARTING(60, "Job started, waiting for the server"),
    RUNNING(100, "Server ready"),
    STOPPING(100, "Stopping"),
    STOPPED(100, "Stopped"),
    FAILED(100, "Failed");

    private final int progress;
    private final String defaultMessage;

    ServerState(int progress, String defaultMessage) {
        this.progress = progress;
        this.defaultMessage = defaultMessage;
    }

    /** Progress shown on the hub's spawn page for this state. */
    public int progress() {
        return progress;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    /** True while a job exists or may exist for this server and it has not been asked to stop. */
    public boolean isStarting() {
        return this == SUBMITTING || this == QUEUED || this == STARTING;
    }

    /** True while the server may hold a job (everything but stopped and failed). */
    public boolean isActive() {
        return this != STOPPED && this != FAILED;
    }

    public boolean isTerminal() {
        return !isActive();
    }

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
