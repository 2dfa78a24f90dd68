package io.hpcspawner.spawn.service;

import java.util.Optional;

/**
 * What the batch script needs to report readiness: the server id, the start secret (a secret:
 * it goes only into the script body) and the callback URL when the nodes can reach the service.
 */
public record ReadySignalSetup(String serverId, String startSecret, Optional<String> callbackUrl) {

    @Override
    public String toString() {
        return "ReadySignalSetup[serverId=" + serverId + ", callbackUrl=" + callbackUrl.orElse("none") + "]";
    }
}
