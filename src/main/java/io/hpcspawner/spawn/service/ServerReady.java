package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.ServerRecord;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Records that a start's server listens, whoever saw it first: the compute node's callback (through
 * {@link SpawnService#ready}) or the ready line the reconciler found in the job's output.
 */
@ApplicationScoped
public class ServerReady {

    private final ReadyAddresses addresses;
    private final ServerLifecycle lifecycle;

    public ServerReady(ReadyAddresses addresses, ServerLifecycle lifecycle) {
        this.addresses = addresses;
        this.lifecycle = lifecycle;
    }

    /**
     * Records that the server of {@code r} listens on {@code port} of its job's node, at the host
     * name the system's template gives that node. The address comes from the scheduler, never
     * from what the job wrote: {@code reportedHost} must only agree with it.
     *
     * @throws InvalidRequestException when the port or host is refused ({@link ReadyAddresses#verify})
     */
    public ServerRecord at(ServerRecord r, String reportedHost, int port) {
        ReadyAddresses.Address a = addresses.verify(r, reportedHost, port);
        return lifecycle.ready(r.key(), r.id(), a.node(), a.host(), port).orElse(r);
    }
}
