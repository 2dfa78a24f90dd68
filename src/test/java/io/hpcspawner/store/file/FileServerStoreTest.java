package io.hpcspawner.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileServerStoreTest {

    @TempDir
    Path dir;

    @Test
    void recordsSurviveARestartWithEveryField() {
        FileServerStore store = new FileServerStore(dir);
        ServerRecord r = ServerRecords.queued(new ServerKey("alice@example.org", "gpu-1"), "123");
        store.save(r);

        ServerRecord back = new FileServerStore(dir).find(r.key()).orElseThrow();
        assertThat(back.id()).isEqualTo(r.id());
        assertThat(back.state()).isEqualTo(ServerState.QUEUED);
        assertThat(back.jobId()).isEqualTo("123");
        assertThat(back.transitions()).isEqualTo(r.transitions());
        assertThat(back.events()).isEqualTo(r.events());
        assertThat(back.options()).isEqualTo(r.options());
        assertThat(back.createdAt()).isEqualTo(r.createdAt());
    }

    @Test
    void aNewStartReplacesTheOldRecordOfTheSameServer() {
        FileServerStore store = new FileServerStore(dir);
        ServerKey key = new ServerKey("bob", "");
        store.save(ServerRecords.queued(key, "1"));
        ServerRecord second = ServerRecords.queued(key, "2");
        store.save(second);
        assertThat(new FileServerStore(dir).all()).extracting(ServerRecord::jobId).containsExactly("2");
    }

    @Test
    void anInterruptedWriteLeavesThePreviousVersion() throws Exception {
        FileServerStore store = new FileServerStore(dir);
        ServerRecord r = ServerRecords.queued(new ServerKey("carol", ""), "7");
        store.save(r);
        try (var files = Files.list(dir)) {
            Path file = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
            // what a kill -9 in the middle of a write leaves behind: a partial temporary file
            Files.writeString(file.resolveSibling(file.getFileName() + ".tmp"), "{\"id\": \"trunc");
        }
        FileServerStore reopened = new FileServerStore(dir);
        assertThat(reopened.find(r.key()).orElseThrow().jobId()).isEqualTo("7");
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
        }
    }

    @Test
    void copiesHandedOutDoNotChangeTheStore() {
        FileServerStore store = new FileServerStore(dir);
        ServerRecord r = ServerRecords.queued(new ServerKey("dave", ""), "9");
        store.save(r);
        List<ServerRecord> all = store.all();
        assertThat(all).hasSize(1);
        assertThat(store.find(r.key()).orElseThrow()).isNotSameAs(all.get(0));
    }

    @Test
    void aDeletedRecordStaysDeletedAfterARestart() {
        FileServerStore store = new FileServerStore(dir);
        ServerRecord gone = ServerRecords.queued(new ServerKey("dave", ""), "1");
        ServerRecord kept = ServerRecords.queued(new ServerKey("dave", "other"), "2");
        store.save(gone);
        store.save(kept);
        assertThat(store.delete(gone.key(), gone.id())).isTrue();
        assertThat(store.find(gone.key())).isEmpty();
        assertThat(new FileServerStore(dir).all()).extracting(ServerRecord::id).containsExactly(kept.id());
    }

    @Test
    void aDeleteMeantForAnEarlierStartLeavesTheNewOne() {
        FileServerStore store = new FileServerStore(dir);
        ServerKey key = new ServerKey("erin", "");
        ServerRecord earlier = ServerRecords.queued(key, "1");
        store.save(earlier);
        ServerRecord later = ServerRecords.queued(key, "2");
        store.save(later);
        assertThat(store.delete(key, earlier.id())).isFalse();
        assertThat(new FileServerStore(dir).find(key).orElseThrow().id()).isEqualTo(later.id());
    }

    @Test
    void anUnreadableRecordIsSetAsideAndTheOthersLoad() throws Exception {
        FileServerStore store = new FileServerStore(dir);
        ServerRecord good = ServerRecords.queued(new ServerKey("alice", "ok"), "11");
        store.save(good);
        // a record damaged on disk (a bad block, a hand edit): one bad file must not stop the service
        Files.writeString(dir.resolve("deadbeef.json"), "{\"id\": \"half a rec");
        FileServerStore reopened = new FileServerStore(dir);
        assertThat(reopened.find(good.key()).orElseThrow().jobId()).isEqualTo("11");
        assertThat(reopened.setAside()).isEqualTo(1);
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString()).toList())
                    .anySatisfy(n -> assertThat(n).startsWith("deadbeef.json.unreadable-"))
                    .noneMatch(n -> n.equals("deadbeef.json"));
        }
        assertThat(new FileServerStore(dir).setAside()).as("set aside once, not again at every start").isZero();
    }

    @Test
    void oneUsersRecordsAreTheirsAloneEvenWhenAnotherNameStartsWithTheirs() {
        FileServerStore store = new FileServerStore(dir);
        store.save(ServerRecords.queued(new ServerKey("ann", ""), "1"));
        store.save(ServerRecords.queued(new ServerKey("ann", "gpu"), "2"));
        store.save(ServerRecords.queued(new ServerKey("anna", ""), "3"));
        store.save(ServerRecords.queued(new ServerKey("an", "x"), "4"));
        assertThat(store.ofUser("ann")).extracting(ServerRecord::jobId).containsExactlyInAnyOrder("1", "2");
        assertThat(store.ofUser("anna")).extracting(ServerRecord::jobId).containsExactly("3");
        assertThat(store.ofUser("nobody")).isEmpty();
        assertThat(new FileServerStore(dir).ofUser("ann")).as("after a restart").hasSize(2);
        ServerRecords.withJob(store.ofUser("ann").get(0), "changed");
        assertThat(store.ofUser("ann")).extracting(ServerRecord::jobId).doesNotContain("changed");
    }

    @Test
    void countsPerSystemAndStateFollowSavesDeletesAndRestarts() {
        FileServerStore store = new FileServerStore(dir);
        ServerRecord a = ServerRecords.queuedOn(new ServerKey("fay", "a"), "1", "alps");
        ServerRecord b = ServerRecords.queuedOn(new ServerKey("fay", "b"), "2", "alps");
        store.save(a);
        store.save(b);
        store.save(ServerRecords.queuedOn(new ServerKey("gus", ""), "3", "daint"));
        assertThat(store.countsOf("alps")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 2L));

        ServerRecords.enter(a, ServerState.RUNNING, "Ready", a.createdAt().plusSeconds(9));
        store.save(a);
        assertThat(store.countsOf("alps")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 1L, ServerState.RUNNING, 1L));
        store.save(ServerRecords.queuedOn(b.key(), "4", "alps")); // a new start replaces b
        assertThat(store.countsOf("alps")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 1L, ServerState.RUNNING, 1L));
        store.delete(a.key(), a.id());
        assertThat(store.countsOf("alps")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 1L));
        assertThat(new FileServerStore(dir).countsOf("daint")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 1L));
        assertThat(store.countsOf("unknown")).isEmpty();
    }

    @Test
    void whereCopiesOnlyTheRecordsItAccepts() {
        FileServerStore store = new FileServerStore(dir);
        store.save(ServerRecords.queuedOn(new ServerKey("hal", "a"), "1", "alps"));
        store.save(ServerRecords.queuedOn(new ServerKey("hal", "b"), "2", "daint"));
        List<ServerRecord> alps = store.where(r -> r.system().equals("alps"));
        assertThat(alps).extracting(ServerRecord::jobId).containsExactly("1");
        ServerRecords.withJob(alps.get(0), "changed");
        assertThat(store.find(new ServerKey("hal", "a")).orElseThrow().jobId()).isEqualTo("1");
    }

    @Test
    void aLargeStoreLoadsEveryRecordAndSetsAsideTheUnreadableOne() throws Exception {
        ServerRecord first = ServerRecords.queued(new ServerKey("p0000", ""), "1");
        new FileServerStore(dir).save(first);
        Path file;
        try (var files = Files.list(dir)) {
            file = files.filter(f -> f.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        String text = Files.readString(file);
        for (int i = 1; i < 1500; i++) { // written directly: 1,500 fsynced saves would take seconds
            String id = String.format("zz%010d", i);
            Files.writeString(dir.resolve("copy-" + i + ".json"),
                    text.replace("p0000", String.format("p%04d", i)).replace(first.id(), id));
        }
        Files.writeString(dir.resolve("broken.json"), "{\"id\": \"half");
        FileServerStore loaded = new FileServerStore(dir);
        assertThat(loaded.all()).hasSize(1500);
        assertThat(loaded.setAside()).isEqualTo(1);
        assertThat(loaded.findById(String.format("zz%010d", 1234)).orElseThrow().user()).isEqualTo("p1234");
        assertThat(loaded.ofUser("p0999")).hasSize(1);
        assertThat(loaded.countsOf("testsys")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 1500L));
    }
}
