package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.StaleRecordException;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.store.file.FileServerStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With several replicas a change can lose its race to another replica's (StaleRecordException):
 * the lifecycle reads the record again and decides again, so neither change is lost.
 */
class LostRaceTest {

    @TempDir
    Path dir;

    /** A store where another replica changes the record just before this one's next save lands. */
    static final class RacingStore implements ServerStore {
        private final ServerStore records;
        private Consumer<ServerRecord> otherReplica;

        RacingStore(ServerStore records) {
            this.records = records;
        }

        void beforeNextSave(Consumer<ServerRecord> change) {
            otherReplica = change;
        }

        @Override
        public Optional<ServerRecord> find(ServerKey key) {
            return records.find(key);
        }

        @Override
        public List<ServerRecord> all() {
            return records.all();
        }

        @Override
        public Optional<ServerRecord> findById(String id) {
            return records.findById(id);
        }

        @Override
        public void save(ServerRecord record) {
            if (otherReplica != null) {
                ServerRecord theirs = records.find(record.key()).orElseThrow();
                otherReplica.accept(theirs);
                records.save(theirs);
                otherReplica = null;
                throw new StaleRecordException(record.key(), "changed by the other replica");
            }
            records.save(record);
        }

        @Override
        public boolean delete(ServerKey key, String id) {
            return records.delete(key, id);
        }
    }

    @Test
    void aJobSeenRunningWhileAnotherReplicaStopsTheServerLeavesItStopping() {
        RacingStore store = new RacingStore(new FileServerStore(dir));
        ServerLifecycle lifecycle = new ServerLifecycle(store, new ServerLocks(), new ServerEvents(), Clock.systemUTC(),
                new SpawnMeters(new SimpleMeterRegistry()));
        ServerKey key = new ServerKey("alice", "");
        ServerRecord queued = ServerRecords.queued(key, "4711");
        store.save(queued);

        store.beforeNextSave(r -> ServerRecords.enter(r, ServerState.STOPPING, "Stopping: cancelling job 4711", Instant.now()));
        Optional<ServerRecord> after = lifecycle.jobRunning(key, queued.id(), Optional.of("nid001"));

        assertThat(store.find(key).orElseThrow().state()).as("the other replica's stop is kept").isEqualTo(ServerState.STOPPING);
        assertThat(after.orElseThrow().state()).isEqualTo(ServerState.STOPPING);
    }

    @Test
    void aStopThatLostItsRaceIsMadeOnTheRecordAsItIsNow() {
        RacingStore store = new RacingStore(new FileServerStore(dir));
        ServerLifecycle lifecycle = new ServerLifecycle(store, new ServerLocks(), new ServerEvents(), Clock.systemUTC(),
                new SpawnMeters(new SimpleMeterRegistry()));
        ServerKey key = new ServerKey("bob", "");
        ServerRecord queued = ServerRecords.queued(key, "4712");
        store.save(queued);

        store.beforeNextSave(r -> ServerRecords.enter(r, ServerState.STARTING, "Job started on nid002", Instant.now()));
        lifecycle.stopRequested(key);

        ServerRecord now = store.find(key).orElseThrow();
        assertThat(now.state()).isEqualTo(ServerState.STOPPING);
        assertThat(now.transitions()).extracting(t -> t.state()).containsSubsequence(ServerState.STARTING, ServerState.STOPPING);
    }
}
