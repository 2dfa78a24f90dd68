package io.hpcspawner.store.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.store.ServerStoreContract;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store contract on a Kubernetes API server, and what only this store does: the objects it writes. */
class KubernetesServerStoreTest extends ServerStoreContract {

    private MockApiServer api;

    @BeforeEach
    void startApiServer() {
        api = new MockApiServer();
    }

    @AfterEach
    void stopApiServer() {
        api.close();
    }

    @Override
    protected ServerStore newStore() {
        return api.store();
    }

    @Override
    protected ServerStore reopen() {
        return api.store();
    }

    @Override
    protected Optional<ServerStore> secondReplica() {
        return Optional.of(api.store());
    }

    private GenericKubernetesResource objectOf(ServerKey key) {
        return api.client().genericKubernetesResources(ServerRecordObjects.CONTEXT).inNamespace(MockApiServer.NAMESPACE)
                .withName(ServerRecordObjects.nameOf(key)).get();
    }

    @Test
    void eachServerIsOneObjectNamedByAHashAndLabelledForKubectl() {
        ServerStore store = newStore();
        ServerKey key = new ServerKey("Alice.Smith@example.org", "gpu.1");
        store.save(ServerRecords.queued(key, "42"));

        GenericKubernetesResource object = objectOf(key);
        assertThat(object.getMetadata().getName()).matches("server-[0-9a-f]{40}");
        assertThat(object.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "hpcspawner")
                .containsEntry("hpcspawner.io/user", "Alice.Smith_example.org")
                .containsEntry("hpcspawner.io/system", "testsys").containsEntry("hpcspawner.io/state", "queued");
        assertThat(ServerRecordObjects.specField(object, "user")).as("the real name, in the spec").isEqualTo(key.user());
        assertThat(api.client().genericKubernetesResources(ServerRecordObjects.CONTEXT).inNamespace(MockApiServer.NAMESPACE)
                .list().getItems()).hasSize(1);
    }

    /**
     * A progress stream open on one replica follows a server whose changes another replica writes
     * (the leader's watcher): the store reports those writes, and not its own (published already).
     */
    @Test
    void aReplicaHearsOfTheRecordsAnotherReplicaWritesAndNotOfItsOwn() {
        ServerStore leader = newStore();
        ServerStore follower = api.store();
        List<ServerRecord> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        follower.onWrittenElsewhere(heard::add);

        ServerKey theirs = new ServerKey("alice", "");
        leader.save(ServerRecords.queued(theirs, "42"));
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> heard.stream().anyMatch(r -> r.key().equals(theirs)));
        ServerRecord running = leader.find(theirs).orElseThrow();
        running.apply(new io.hpcspawner.spawn.model.Change(ServerState.STARTING, Optional.of("Job 42 is running on nid001"),
                Optional.empty(), Optional.empty(), List.of(new io.hpcspawner.spawn.model.Change.Node("nid001"))),
                Instant.now());
        leader.save(running);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> heard.stream().anyMatch(r -> r.key().equals(theirs) && r.state() == ServerState.STARTING));

        ServerKey own = new ServerKey("bob", "");
        follower.save(ServerRecords.queued(own, "43"));
        leader.save(ServerRecords.queued(new ServerKey("carol", ""), "44")); // comes after bob's in the watch
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> heard.stream().anyMatch(r -> r.user().equals("carol")));
        assertThat(heard).extracting(ServerRecord::user).doesNotContain("bob");
    }

    @Test
    void labelValuesAreLabelSafeForEveryValidUserName() {
        for (String user : List.of("a", "alice@example.org", "a+b", "x.", "a-", "9@@", "u".repeat(64), "a@b.c+d-e")) {
            assertThat(ObjectNames.labelValue(user)).as(user).matches("([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?");
        }
        assertThat(ServerRecordObjects.nameOf(new ServerKey("a", "b.c")))
                .isNotEqualTo(ServerRecordObjects.nameOf(new ServerKey("a.b", "c")));
    }

    @Test
    void theObjectHoldsNoSecretOnlyTheHashOfTheStartsSecret() {
        ServerStore store = newStore();
        ServerRecord r = ServerRecords.queued(new ServerKey("bob", ""), "1");
        store.save(r);
        String stored = io.fabric8.kubernetes.client.utils.Serialization.asJson(objectOf(r.key()));
        assertThat(stored).contains(r.secretHash()).doesNotContain("\"s\"");
        assertThat(r.secretHash()).isEqualTo(io.hpcspawner.credentials.Secrets.hash("s")).isNotEqualTo("s");
    }

    @Test
    void theCacheShowsAnotherReplicasWritesThroughItsWatch() {
        ServerStore one = newStore();
        ServerStore two = secondReplica().orElseThrow();
        ServerRecord r = ServerRecords.queued(new ServerKey("carol", ""), "5");
        one.save(r);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> two.findById(r.id()).isPresent());
        one.delete(r.key(), r.id());
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> two.find(r.key()).isEmpty());
    }

    @Test
    void theIndexByUserFindsEveryServerOfOneUserOnly() {
        KubernetesServerStore store = api.store();
        store.save(ServerRecords.queued(new ServerKey("dave", ""), "1"));
        store.save(ServerRecords.queued(new ServerKey("dave", "big"), "2"));
        store.save(ServerRecords.queued(new ServerKey("Dave", ""), "3"));
        assertThat(store.ofUser("dave")).extracting(ServerRecord::jobId).containsExactlyInAnyOrder("1", "2");
        assertThat(api.store().ofUser("Dave")).extracting(ServerRecord::jobId).containsExactly("3");
    }

    @Test
    void aRecordEditedIntoNonsenseIsSkippedAndReplacedByTheNextStart() {
        ServerStore store = newStore();
        ServerKey key = new ServerKey("erin", "");
        store.save(ServerRecords.queued(key, "1"));
        GenericKubernetesResource object = objectOf(key);
        object.setAdditionalProperty("spec", java.util.Map.of("id", "x", "createdAt", "yesterday"));
        api.client().genericKubernetesResources(ServerRecordObjects.CONTEXT).inNamespace(MockApiServer.NAMESPACE)
                .resource(object).update();

        ServerStore restarted = reopen();
        assertThat(restarted.find(key)).isEmpty();
        assertThat(restarted.all()).isEmpty();
        ServerRecord next = ServerRecords.queued(key, "2");
        restarted.save(next);
        assertThat(restarted.find(key).orElseThrow().jobId()).isEqualTo("2");
        assertThat(reopen().find(key).orElseThrow().jobId()).isEqualTo("2");
    }

    @Test
    void anApiServerThatCannotBeListedStopsTheStartWithWhatToDo() {
        KubernetesClient client = api.client();
        api.stopServing();
        assertThatThrownBy(() -> new KubernetesServerStore(client, MockApiServer.NAMESPACE, Duration.ofSeconds(3)))
                .hasMessageContaining("cannot list the server records (serverrecords.hpcspawner.io) in namespace jhub")
                .hasMessageContaining("is the CRD installed");
    }

    @Test
    void aSaveIsOnTheApiServerWhenItReturns() {
        ServerStore store = newStore();
        ServerRecord r = ServerRecords.queued(new ServerKey("frank", ""), "1");
        store.save(r);
        ServerRecords.enter(r, ServerState.STOPPED, "Stopped", Instant.now());
        store.save(r);
        assertThat(ServerRecordObjects.specField(objectOf(r.key()), "state")).isEqualTo("stopped");
    }
}
