package io.hpcspawner.spawn.model;

import java.time.Instant;

/**
 * A live job with this deployment's prefix and no server, that the sweep did not cancel on its own
 * and waits for an operator to release (or to look after by hand).
 *
 * @param reason why it is held, e.g. "12 jobs would be cancelled at once (limit 3)"
 * @param since when it was first held
 */
public record HeldOrphan(String system, String jobId, String name, String user, String state, String reason,
        Instant since) {
}
