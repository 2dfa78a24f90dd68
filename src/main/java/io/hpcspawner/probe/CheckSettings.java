package io.hpcspawner.probe;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the end-to-end check needs, resolved from the configuration by the composition root.
 *
 * @param hubApi the hub's REST API, e.g. {@code http://hub:8081/hub/api}
 * @param hubToken the hub API token, read on each run (a rotated file or Vault field takes effect)
 * @param user the JupyterHub user the check starts a server for
 * @param server the name of the check's server
 * @param publicUrl where the proxy serves users; empty: the step through the proxy is skipped
 * @param options the options the server is started with
 * @param timeout the longest the whole check may take
 * @param poll how often the hub and the service are asked while the check waits
 */
public record CheckSettings(URI hubApi, Supplier<String> hubToken, String user, String server, Optional<URI> publicUrl,
        Map<String, String> options, Duration timeout, Duration poll) {
}
