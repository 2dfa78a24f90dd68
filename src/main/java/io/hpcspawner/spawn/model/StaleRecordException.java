package io.hpcspawner.spawn.model;

/**
 * A save lost a race: the stored record changed (another replica, another request) since the copy
 * being saved was read, and nothing was written. The caller reads the record again
 * ({@code ServerStore.find}), decides again on what it finds, and saves that; a request from a
 * user that cannot do so answers 409 {@code record_changed} (retrying the request is safe).
 */
public class StaleRecordException extends ConflictException {

    public StaleRecordException(ServerKey key, String detail) {
        super("record_changed", "the record of server " + key + " changed while this change was made (" + detail
                + "); read it again and retry");
    }
}
