package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.ConflictException;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import java.util.List;

/**
 * The cap on a user's active servers (each active server holds a job, queued or running). A create
 * beyond it is refused before anything is written or submitted; a create of a server that is
 * already active, or a retry of a start that exists, is left to the start's own rules.
 */
public final class ServerQuota {

    private ServerQuota() {
    }

    /**
     * Refuses to start {@code key} with {@code startId} when its user already has {@code limit}
     * other active servers among {@code records} (which must hold at least all of the user's records).
     *
     * @throws ConflictException {@code server_limit}
     */
    public static void requireRoom(ServerKey key, String startId, List<ServerRecord> records, int limit) {
        boolean known = records.stream().anyMatch(r -> r.key().equals(key)
                && (r.state().isActive() || r.startId().equals(startId)));
        if (known) {
            return;
        }
        long active = records.stream().filter(r -> r.user().equals(key.user()) && r.state().isActive()).count();
        if (active >= limit) {
            throw new ConflictException("server_limit", key.user() + " has " + active + " active servers, the most"
                    + " allowed (hpcspawner.limits.servers-per-user=" + limit + "); stop one of them before starting "
                    + (key.server().isEmpty() ? "the default server" : "server " + key.server()));
        }
    }
}
