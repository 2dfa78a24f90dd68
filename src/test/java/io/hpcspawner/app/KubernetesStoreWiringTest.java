package io.hpcspawner.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.spawn.rules.JobNames;
import io.hpcspawner.store.file.DeploymentIdentityFile;
import io.hpcspawner.store.file.FileServerStore;
import io.hpcspawner.store.kubernetes.KubernetesServerStore;
import io.hpcspawner.store.kubernetes.MockApiServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The service on the Kubernetes store ({@code hpcspawner.store.kind=kubernetes}), started with a
 * file store to import: ServiceWiring picks the Kubernetes store and imports before anything reads it.
 */
@QuarkusTest
@TestProfile(KubernetesStoreWiringTest.Profile.class)
class KubernetesStoreWiringTest {

    static final ServerKey IMPORTED = new ServerKey("alice", "from-files");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hpcspawner.store.kind", "kubernetes", "hpcspawner.store.namespace", MockApiServer.NAMESPACE,
                    "hpcspawner.store.import-from", "file");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ApiServerWithFileStore.class));
        }
    }

    /** A mock API server with the CRD, and a file store of deployment test01 holding one server. */
    public static class ApiServerWithFileStore implements QuarkusTestResourceLifecycleManager {
        static MockApiServer api;

        @Override
        public Map<String, String> start() {
            api = new MockApiServer();
            try {
                Path files = Files.createTempDirectory("hpcspawner-import");
                new FileServerStore(files.resolve("servers")).save(ServerRecords.queued(IMPORTED, "31337"));
                new DeploymentIdentityFile(files.resolve("servers")).create(new DeploymentIdentity("test01",
                        Instant.parse("2026-01-01T00:00:00Z")));
                // quarkus.kubernetes-client.api-server-url is fixed at build time: the client's own
                // auto-configuration (which the extension falls back to) takes the mock's address
                System.setProperty("kubernetes.master", api.url());
                System.setProperty("kubernetes.auth.tryKubeConfig", "false");
                return Map.of("hpcspawner.store.directory", files.resolve("servers").toString(),
                        "hpcspawner.store.logins-directory", files.resolve("logins").toString());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void stop() {
            System.clearProperty("kubernetes.master");
            System.clearProperty("kubernetes.auth.tryKubeConfig");
            api.close();
        }
    }

    @Inject
    ServerStore store;

    @Inject
    JobNames jobNames;

    @Test
    void theServiceRunsOnTheKubernetesStoreWithTheImportedServer() {
        assertThat(store).isInstanceOf(KubernetesServerStore.class);
        assertThat(store.find(IMPORTED).orElseThrow().jobId()).isEqualTo("31337");
        assertThat(ApiServerWithFileStore.api.client().configMaps().inNamespace(MockApiServer.NAMESPACE)
                .withName("hpcspawner-deployment-identity").get().getData()).containsEntry("id", "test01");
        assertThat(jobNames.identity().id()).isEqualTo("test01");
        var records = new io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext.Builder()
                .withGroup("hpcspawner.io").withVersion("v1").withKind("ServerRecord").withPlural("serverrecords")
                .withNamespaced(true).build();
        assertThat(ApiServerWithFileStore.api.client().genericKubernetesResources(records)
                .inNamespace(MockApiServer.NAMESPACE).list().getItems()).hasSize(1);
    }
}
