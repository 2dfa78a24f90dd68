package io.hpcspawner.api;

/** What the batch job posts once its server listens. */
public record ReadySignalBody(String host, Integer port) {
}
