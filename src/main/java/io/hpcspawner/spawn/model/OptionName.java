package io.hpcspawner.spawn.model;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a user may choose for a start, each becoming one part of the Slurm job. The vocabulary is
 * the service's own: a site offers a subset per profile ({@link ProfileOption}); the form shows
 * them in this order.
 */
public enum OptionName {
    /** The Slurm partition ({@code --partition}). */
    PARTITION("partition", "Partition"),
    /** The account charged ({@code --account}). */
    ACCOUNT("account", "Account"),
    /** An advance reservation ({@code --reservation}). */
    RESERVATION("reservation", "Reservation"),
    /** Node features ({@code --constraint}). */
    CONSTRAINT("constraint", "Node constraint"),
    /** Quality of service ({@code --qos}). */
    QOS("qos", "Quality of service"),
    /** Wall time in minutes ({@code --time}). */
    TIME("time", "Wall time"),
    /** Number of nodes ({@code --nodes}). */
    NODES("nodes", "Nodes"),
    /** CPUs per task ({@code --cpus-per-task}). */
    CPUS("cpus", "CPUs"),
    /** Memory per node in MiB ({@code --mem}). */
    MEMORY("memory", "Memory"),
    /** GPUs per node ({@code --gpus-per-node}). */
    GPUS("gpus", "GPUs per node"),
    /** The software environment: one of the profile's {@link SoftwareEnvironment}s (a uenv, an image). */
    ENVIRONMENT("environment", "Software environment");

    private final String key;
    private final String label;

    OptionName(String key, String label) {
        this.key = key;
        this.label = label;
    }

    /** The option's name in requests, forms and configuration, e.g. {@code reservation}. */
    public String key() {
        return key;
    }

    /** The label a form shows when the site gives none. */
    public String defaultLabel() {
        return label;
    }

    /** The option named {@code key} in a request or in the configuration. */
    public static Optional<OptionName> of(String key) {
        return Arrays.stream(values()).filter(o -> o.key.equals(key)).findFirst();
    }
}
