package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Decides where the hub may send a user's traffic once a job says its server is ready. The job
 * (that is, its user) writes the ready signal, so it could name any address: an internal
 * service, another user's server. Only the node the scheduler runs the job on counts (through
 * the system's host template), with a port in the system's range.
 */
@ApplicationScoped
public class ReadyAddresses {

    /** Where a ready server listens: the scheduler's node name and the host name the hub reaches it at. */
    public record Address(String node, String host) {
    }

    private final Systems systems;
    private final SchedulerRegistry schedulers;

    public ReadyAddresses(Systems systems, SchedulerRegistry schedulers) {
        this.systems = systems;
        this.schedulers = schedulers;
    }

    /**
     * The address of {@code r}'s server on {@code port}, or a refusal naming the field at fault.
     *
     * @throws InvalidRequestException when the port is outside the range or the host is not the job's node
     * @throws SchedulerException (transient) when the job's node is not known yet; the job retries
     */
    public Address verify(ServerRecord r, String reportedHost, int port) {
        SystemSettings system = systems.get(r.system());
        if (port < system.portLow() || port > system.portHigh()) {
            throw new InvalidRequestException("ready_refused", "port", "port " + port + " is outside the port range "
                    + system.portRange() + " servers of " + r.system() + " use");
        }
        String node = Optional.ofNullable(r.node()).orElseGet(() -> nodeOf(r));
        if (!sameMachine(reportedHost, node)) {
            throw new InvalidRequestException("ready_refused", "host", "host " + reportedHost + " is not " + node
                    + ", the node " + r.system() + " runs job " + r.jobId() + " on");
        }
        return new Address(node, system.hostTemplate().replace("{node}", node));
    }

    /** Asks the scheduler where the job runs (the signal came before the watcher saw the job start). */
    private String nodeOf(ServerRecord r) {
        if (r.jobId() == null) {
            throw new SchedulerException("job of server " + r.id() + " has no id yet; try again", true);
        }
        return schedulers.forSystem(r.system()).jobs(Set.of(r.jobId()), null).stream()
                .filter(j -> j.id().equals(r.jobId())).findFirst().flatMap(JobInfo::node)
                .orElseThrow(() -> new SchedulerException(r.system() + " reports no node for job " + r.jobId()
                        + " yet; try again", true));
    }

    /** The node name Slurm uses and the host name the node reports may differ by a domain. */
    static boolean sameMachine(String reported, String node) {
        String a = reported.toLowerCase(Locale.ROOT);
        String b = node.toLowerCase(Locale.ROOT);
        return a.equals(b) || a.startsWith(b + ".") || b.startsWith(a + ".");
    }
}
