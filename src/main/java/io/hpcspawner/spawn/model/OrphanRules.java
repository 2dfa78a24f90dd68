package io.hpcspawner.spawn.model;

/**
 * How jobs without a server are handled, resolved once from the site's configuration.
 *
 * @param maxCancelsPerRound at most this many orphaned jobs are cancelled per system per round (more are held)
 * @param jobNamePrefix the prefix of this deployment's job names, named in the warning about other deployments
 */
public record OrphanRules(int maxCancelsPerRound, String jobNamePrefix) {
}
