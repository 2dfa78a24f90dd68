package io.hpcspawner.spawn.model;

/** No record exists for the server asked about. */
public class ServerNotFoundException extends RuntimeException {

    public ServerNotFoundException(ServerKey key) {
        super("no server " + (key.server().isEmpty() ? "(default)" : "'" + key.server() + "'")
                + " for user " + key.user() + "; start it first");
    }
}
