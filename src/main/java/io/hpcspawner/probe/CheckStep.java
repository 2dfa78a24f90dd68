package io.hpcspawner.probe;

/**
 * One step of an end-to-end check as the operator reads it.
 *
 * @param name what the step is, e.g. {@code submitted}
 * @param ok whether it succeeded
 * @param seconds how long it took after the step before it
 * @param detail what was seen, e.g. {@code job 4242} or why it failed
 */
public record CheckStep(String name, boolean ok, double seconds, String detail) {
}
