package io.hpcspawner.spawn.port;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The load of one partition counted from the scheduler's node list (one call for every partition):
 * a node is idle when its state says IDLE without a flag that keeps jobs off it (DRAIN, DOWN...),
 * allocated when ALLOCATED or MIXED. Adapters whose partition answer has no load use it.
 *
 * @param idleNodes nodes that would take a job now
 * @param allocatedNodes nodes running jobs
 * @param idleCpus CPUs not allocated on nodes that take jobs
 * @param allocatedCpus CPUs allocated
 */
public record NodeLoad(int idleNodes, int allocatedNodes, int idleCpus, int allocatedCpus) {

    /** The load of a partition without nodes in the list. */
    public static final NodeLoad NONE = new NodeLoad(0, 0, 0, 0);

    /** Node state flags after which a node takes no new job. */
    private static final Set<String> UNUSABLE = Set.of("DOWN", "DRAIN", "DRAINED", "DRAINING", "FAIL", "FAILING",
            "MAINTENANCE", "MAINT", "NOT_RESPONDING", "POWERED_DOWN", "POWER_DOWN", "POWERING_DOWN", "INVALID",
            "RESERVED", "FUTURE", "PLANNED", "REBOOT_REQUESTED", "REBOOT_ISSUED", "UNKNOWN", "OFFLINE");

    /**
     * One node of a node list.
     *
     * @param states its state and flags, in any case (e.g. {@code idle}, {@code [IDLE, DRAIN]})
     * @param partitions the partitions it belongs to
     * @param cpus its CPUs
     * @param allocatedCpus its CPUs allocated now
     */
    public record Node(Collection<String> states, Collection<String> partitions, int cpus, int allocatedCpus) {

        boolean usable() {
            return states.stream().map(NodeLoad::upper).noneMatch(UNUSABLE::contains);
        }

        boolean in(String state) {
            return states.stream().map(NodeLoad::upper).anyMatch(state::equals);
        }
    }

    /** Each partition's load, counted over {@code nodes}; a partition without nodes is absent. */
    public static Map<String, NodeLoad> perPartition(List<Node> nodes) {
        Map<String, NodeLoad> load = new HashMap<>();
        for (Node n : nodes) {
            boolean usable = n.usable();
            boolean idle = usable && n.in("IDLE") && n.allocatedCpus() == 0;
            boolean allocated = n.in("ALLOCATED") || n.in("MIXED") || n.allocatedCpus() > 0;
            NodeLoad one = new NodeLoad(idle ? 1 : 0, allocated ? 1 : 0,
                    usable ? Math.max(0, n.cpus() - n.allocatedCpus()) : 0, n.allocatedCpus());
            for (String p : n.partitions()) {
                load.merge(p, one, NodeLoad::plus);
            }
        }
        return load;
    }

    private NodeLoad plus(NodeLoad o) {
        return new NodeLoad(idleNodes + o.idleNodes, allocatedNodes + o.allocatedNodes, idleCpus + o.idleCpus,
                allocatedCpus + o.allocatedCpus);
    }

    private static String upper(String s) {
        return s.trim().toUpperCase(Locale.ROOT);
    }
}
