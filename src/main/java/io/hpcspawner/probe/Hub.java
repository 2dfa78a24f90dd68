package io.hpcspawner.probe;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/** The hub's REST API and the proxy, as the end-to-end check uses them. */
public interface Hub {

    /** A server as the hub reports it. */
    record Server(boolean ready, String pending, String url) {
    }

    /**
     * Asks the hub to start {@code user}'s server {@code server} with {@code options}.
     *
     * @return the hub's HTTP status (201 started, 202 starting)
     * @throws HubException when the hub refuses or cannot be reached
     */
    int start(String user, String server, Map<String, String> options);

    /** The server as the hub sees it now; empty when the hub has none of that name (never started, or its start failed). */
    Optional<Server> server(String user, String server);

    /** Asks the hub to stop the server; a server already stopped is no error. */
    void stop(String user, String server);

    /** The HTTP status of a GET of {@code url} with the hub token (the server's own API, through the proxy). */
    int reach(URI url);
}
