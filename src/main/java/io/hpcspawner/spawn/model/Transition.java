package io.hpcspawner.spawn.model;

import java.time.Instant;

/** The moment a server entered a state. */
public record Transition(ServerState state, Instant at) {
}
