package io.hpcspawner.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.store.ServerStoreContract;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on files, and what only this store does: crash-safe files, unreadable ones set aside. */
class FileServerStoreTest extends ServerStoreContract {

    @TempDir
    Path dir;

    @Override
    protected ServerStore newStore() {
        return new FileServerStore(dir);
    }

    @Override
    protected ServerStore reopen() {
        return new FileServerStore(dir);
    }

    /** One instance per directory (StoreLock): no second replica. */
    @Override
    protected Optional<ServerStore> secondReplica() {
        return Optional.empty();
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
