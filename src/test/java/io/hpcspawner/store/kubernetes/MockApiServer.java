package io.hpcspawner.store.kubernetes;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/**
 * A Kubernetes API server for tests: fabric8's mock in CRUD mode (objects kept, resourceVersions
 * checked, watches served; no server-side apply), with the chart's ServerRecord CRD installed.
 * Each client it hands out is a separate connection, as a separate replica has.
 */
public final class MockApiServer implements AutoCloseable {

    public static final Path CRD = Path.of("chart/crds/serverrecords.hpcspawner.io.yaml");
    public static final String NAMESPACE = "jhub";
    public static final Duration LISTING = Duration.ofSeconds(20);

    private final KubernetesMockServer server;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private boolean serving = true;

    public MockApiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(),
                false);
        server.init();
        try (KubernetesClient admin = server.createClient(); InputStream yaml = Files.newInputStream(CRD)) {
            admin.apiextensions().v1().customResourceDefinitions()
                    .resource(Serialization.unmarshal(yaml, CustomResourceDefinition.class)).create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where a client reaches it, e.g. {@code http://localhost:41234/}. */
    public String url() {
        return server.url("/");
    }

    /** A new client, closed with this server. */
    public KubernetesClient client() {
        KubernetesClient c = server.createClient();
        opened.add(c);
        return c;
    }

    /** A new store instance (a replica, or the service after a restart) on this server. */
    public KubernetesServerStore store() {
        KubernetesServerStore store = new KubernetesServerStore(client(), NAMESPACE, LISTING);
        opened.add(0, store);
        return store;
    }

    /** The API server goes away; the clients stay open (and fail). */
    public synchronized void stopServing() {
        if (serving) {
            serving = false;
            server.destroy();
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (Exception e) {
                // closing a test's clients: nothing to do
            }
        }
        stopServing();
    }
}
