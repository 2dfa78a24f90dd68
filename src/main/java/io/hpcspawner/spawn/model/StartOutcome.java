package io.hpcspawner.spawn.model;

/** The record a create answered with, and whether that create began a new start. */
public record StartOutcome(ServerRecord record, boolean created) {
}
