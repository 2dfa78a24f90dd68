package io.hpcspawner.spawn.port;

import java.util.Arrays;

/**
 * A partition as the scheduler reports it: whether it takes jobs, its per-job limits and its load.
 * A limit of 0 is "unlimited or not told"; a count of -1 is "not known" (the API did not say, or
 * the call that counts it failed).
 *
 * @param name the partition
 * @param state Slurm's state, several flags joined with commas (e.g. {@code UP}, {@code DOWN,DRAIN})
 * @param totalCpus CPUs in the partition
 * @param totalNodes nodes in the partition
 * @param maxTimeMinutes the longest wall time a job may ask, 0 when unlimited or unknown
 * @param maxNodesPerJob the most nodes one job may ask, 0 when unlimited or unknown
 * @param idleNodes nodes with nothing allocated, -1 when unknown
 * @param allocatedNodes nodes fully or partly allocated, -1 when unknown
 * @param idleCpus CPUs not allocated on nodes that take jobs, -1 when unknown
 * @param allocatedCpus CPUs allocated, -1 when unknown
 */
public record Partition(String name, String state, int totalCpus, int totalNodes, int maxTimeMinutes,
        int maxNodesPerJob, int idleNodes, int allocatedNodes, int idleCpus, int allocatedCpus) {

    /** A partition whose limits and load are not known. */
    public Partition(String name, String state, int totalCpus, int totalNodes) {
        this(name, state, totalCpus, totalNodes, 0, 0, -1, -1, -1, -1);
    }

    /** Whether it takes jobs now: one of its state flags is {@code UP}. */
    public boolean up() {
        return Arrays.stream(state.split(",")).anyMatch(s -> s.trim().equalsIgnoreCase("UP"));
    }

    /** The same partition with its per-job limits. */
    public Partition withLimits(int maxTime, int maxNodes) {
        return new Partition(name, state, totalCpus, totalNodes, maxTime, maxNodes, idleNodes, allocatedNodes,
                idleCpus, allocatedCpus);
    }

    /** The same partition with its load counted. */
    public Partition withLoad(NodeLoad load) {
        return new Partition(name, state, totalCpus, totalNodes, maxTimeMinutes, maxNodesPerJob, load.idleNodes(),
                load.allocatedNodes(), load.idleCpus(), load.allocatedCpus());
    }
}
