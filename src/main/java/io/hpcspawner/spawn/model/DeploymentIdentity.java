package io.hpcspawner.spawn.model;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.regex.Pattern;

/**
 * Which deployment of the service this is: an id created once with its store and carried in the
 * name of every job it submits, so that two deployments sharing a cluster (production and staging,
 * with the same job-name prefix) tell their jobs apart and never cancel each other's. The store's
 * birth time lets the orphan sweep see jobs older than the records that should describe them
 * (a store restored from a backup, an emptied volume under a configured id).
 *
 * @param id 6 lowercase letters or digits
 * @param createdAt when this deployment's store began
 */
public record DeploymentIdentity(String id, Instant createdAt) {

    /** The form of an id, in job names and in {@code hpcspawner.deployment-id}. */
    public static final Pattern ID = Pattern.compile("[a-z0-9]{6}");

    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    public DeploymentIdentity {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a deployment id is 6 lowercase letters or digits, not " + id);
        }
    }

    /** A new random id (no 0/o or 1/l, which read alike). */
    public static String newId() {
        StringBuilder sb = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }
}
