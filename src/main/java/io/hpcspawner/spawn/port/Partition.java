package io.hpcspawner.spawn.port;

/** A partition and whether it takes jobs now. */
public record Partition(String name, String state, int totalCpus, int totalNodes) {
}
