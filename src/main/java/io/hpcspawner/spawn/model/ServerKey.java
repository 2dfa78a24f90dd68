package io.hpcspawner.spawn.model;


/** Identifies a server the way JupyterHub does: user name and server name ("" for the default server). */
public record ServerKey(String user, String server) {

    public ServerKey {
        Names.requireUser(user);
        Names.requireServer(server);
    }

    @Override
    public String toString() {
        return server.isEmpty() ? user : user + "/" + server;
    }
}
