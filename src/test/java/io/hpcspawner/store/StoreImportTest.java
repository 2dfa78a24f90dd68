package io.hpcspawner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcspawner.config.InvalidConfigurationException;
import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.store.file.DeploymentIdentityFile;
import io.hpcspawner.store.file.FileSealedTokenStore;
import io.hpcspawner.store.file.FileServerStore;
import io.hpcspawner.store.kubernetes.DeploymentIdentityConfigMap;
import io.hpcspawner.store.kubernetes.KubernetesSealedTokenStore;
import io.hpcspawner.store.kubernetes.MockApiServer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Moving a deployment from the file store into the Kubernetes store and back. */
class StoreImportTest {

    private static final Instant BORN = Instant.parse("2026-01-15T08:00:00Z");

    @TempDir
    Path dir;
    private final MockApiServer api = new MockApiServer();

    @AfterEach
    void stop() {
        api.close();
    }

    private DeploymentStore files(String sub) {
        Path d = dir.resolve(sub);
        return new DeploymentStore("the file store in " + d, new FileServerStore(d.resolve("servers")),
                new FileSealedTokenStore(d.resolve("logins")), new DeploymentIdentityFile(d.resolve("servers")));
    }

    private DeploymentStore kubernetes() {
        return new DeploymentStore("the Kubernetes store in namespace jhub", api.store(),
                new KubernetesSealedTokenStore(api.client(), MockApiServer.NAMESPACE),
                new DeploymentIdentityConfigMap(api.client(), MockApiServer.NAMESPACE));
    }

    /** A file store as a deployment leaves it: two servers, one login, its identity. */
    private DeploymentStore deployed(String sub, String id) {
        DeploymentStore store = files(sub);
        store.records().save(ServerStoreContract.everyFieldSet(new ServerKey("alice@example.org", "gpu")));
        store.records().save(ServerRecords.queued(new ServerKey("bob", ""), "77"));
        store.logins().write("alice@example.org", "v2.sealed-alice");
        store.identity().create(new DeploymentIdentity(id, BORN));
        return store;
    }

    @Test
    void aFileStoreMovesIntoTheKubernetesStoreAndBackUnchanged() {
        DeploymentStore original = deployed("a", "prod01");

        StoreImport.Outcome in = StoreImport.run(original, kubernetes());
        assertThat(in).isEqualTo(new StoreImport.Outcome(2, 1, true));
        DeploymentStore cluster = kubernetes(); // a restart on the Kubernetes store
        assertThat(cluster.identity().read()).contains(new DeploymentIdentity("prod01", BORN));
        assertThat(cluster.logins().read("alice@example.org")).contains("v2.sealed-alice");
        for (ServerRecord r : original.records().all()) {
            assertThat(cluster.records().find(r.key()).orElseThrow()).usingRecursiveComparison().isEqualTo(r);
        }

        DeploymentStore back = files("b");
        assertThat(StoreImport.run(cluster, back)).isEqualTo(new StoreImport.Outcome(2, 1, true));
        DeploymentStore reopened = files("b");
        assertThat(reopened.identity().read()).contains(new DeploymentIdentity("prod01", BORN));
        assertThat(reopened.logins().identities()).containsExactly("alice@example.org");
        for (ServerRecord r : original.records().all()) {
            assertThat(reopened.records().find(r.key()).orElseThrow()).usingRecursiveComparison().isEqualTo(r);
        }
    }

    @Test
    void aSecondStartWithTheOptionStillSetImportsNothing() {
        DeploymentStore original = deployed("a", "prod01");
        StoreImport.run(original, kubernetes());
        DeploymentStore cluster = kubernetes();
        cluster.records().delete(new ServerKey("bob", ""), cluster.records().find(new ServerKey("bob", "")).orElseThrow().id());

        assertThat(StoreImport.run(original, cluster)).isEqualTo(new StoreImport.Outcome(0, 0, false));
        assertThat(kubernetes().records().all()).as("bob's record, deleted since, is not brought back").hasSize(1);
    }

    @Test
    void aTargetOfAnotherDeploymentIsRefused() {
        DeploymentStore cluster = kubernetes();
        cluster.identity().create(new DeploymentIdentity("stag01", BORN));
        assertThatThrownBy(() -> StoreImport.run(deployed("a", "prod01"), cluster))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("hpcspawner.store.import-from")
                .hasMessageContaining("belongs to deployment stag01").hasMessageContaining("to deployment prod01");
        assertThat(cluster.records().all()).isEmpty();
    }

    @Test
    void aTargetWithRecordsOfItsOwnIsRefused() {
        DeploymentStore cluster = kubernetes();
        cluster.records().save(ServerRecords.queued(new ServerKey("mallory", ""), "1"));
        assertThatThrownBy(() -> StoreImport.run(deployed("a", "prod01"), cluster))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("server mallory")
                .hasMessageContaining("not in the file store");
        assertThat(cluster.identity().read()).isEmpty();
    }

    @Test
    void anImportCutOffHalfWayIsFinishedOnTheNextStart() {
        DeploymentStore original = deployed("a", "prod01");
        DeploymentStore cluster = kubernetes();
        cluster.records().save(original.records().find(new ServerKey("bob", "")).orElseThrow()); // copied before the crash

        assertThat(StoreImport.run(original, cluster)).isEqualTo(new StoreImport.Outcome(1, 1, true));
        assertThat(kubernetes().records().all()).hasSize(2);
    }

    @Test
    void aSourceWithoutIdentityIsRefused() {
        assertThatThrownBy(() -> StoreImport.run(files("empty"), kubernetes()))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("has no deployment identity");
        assertThat(Optional.ofNullable(kubernetes().identity().read().orElse(null))).isEmpty();
    }
}
