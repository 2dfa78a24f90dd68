package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.support.FakeTime;
import io.hpcspawner.store.file.FileServerStore;
import io.hpcspawner.support.TestConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopped and failed servers' records are deleted once older than the retention; active ones never. */
class RecordRetentionTest {

    @TempDir
    Path dir;

    final FakeTime time = new FakeTime(Instant.parse("2026-12-02T06:00:00Z"));

    @Test
    void endedRecordsOlderThanTheRetentionAreDeletedAndNothingElse() {
        FileServerStore store = new FileServerStore(dir);
        Instant now = time.instant();
        ServerRecord oldStopped = ServerRecords.ended(new ServerKey("alice", "a"), ServerState.STOPPED, now.minus(Duration.ofDays(8)));
        ServerRecord oldFailed = ServerRecords.ended(new ServerKey("alice", "b"), ServerState.FAILED, now.minus(Duration.ofDays(30)));
        ServerRecord recentStopped = ServerRecords.ended(new ServerKey("alice", "c"), ServerState.STOPPED, now.minus(Duration.ofDays(6)));
        ServerRecord oldQueued = ServerRecords.queuedSince(new ServerKey("alice", "d"), now.minus(Duration.ofDays(40)));
        ServerRecord oldStopping = ServerRecords.stopping(new ServerKey("bob", ""), "77");
        for (ServerRecord r : new ServerRecord[] {oldStopped, oldFailed, recentStopped, oldQueued, oldStopping}) {
            store.save(r);
        }

        RecordRetention retention = new RecordRetention(DomainSettings.retention(TestConfigs.from(TestConfigs.minimal())), store, new ServerLocks(), () -> true, time);
        assertThat(retention.purge()).isEqualTo(2);

        assertThat(new FileServerStore(dir).all()).extracting(ServerRecord::id)
                .containsExactlyInAnyOrder(recentStopped.id(), oldQueued.id(), oldStopping.id());
        time.advance(Duration.ofDays(2));
        assertThat(retention.purge()).isEqualTo(1);
        assertThat(store.all()).extracting(ServerRecord::id).containsExactlyInAnyOrder(oldQueued.id(), oldStopping.id());
    }

    @Test
    void theRetentionIsConfigurable() {
        FileServerStore store = new FileServerStore(dir);
        store.save(ServerRecords.ended(new ServerKey("carol", ""), ServerState.FAILED, time.instant().minus(Duration.ofHours(3))));
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.store.retention", "2h");
        assertThat(new RecordRetention(DomainSettings.retention(TestConfigs.from(p)), store, new ServerLocks(), () -> true, time).purge()).isEqualTo(1);
        assertThat(store.all()).isEmpty();
    }

    @Test
    void aRetentionThatIsNotPositiveIsRefusedAtStart() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.store.retention", "0s");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RecordRetention(DomainSettings.retention(TestConfigs.from(p)),
                new FileServerStore(dir), new ServerLocks(), () -> true, time)).hasMessageContaining("hpcspawner.store.retention");
    }

    @Test
    void aReplicaThatDoesNotLeadDeletesNothing() {
        FileServerStore store = new FileServerStore(dir);
        ServerRecord old = ServerRecords.ended(new ServerKey("dave", ""), ServerState.STOPPED, time.instant().minus(Duration.ofDays(9)));
        store.save(old);
        java.util.concurrent.atomic.AtomicBoolean leads = new java.util.concurrent.atomic.AtomicBoolean(false);
        RecordRetention retention = new RecordRetention(DomainSettings.retention(TestConfigs.from(TestConfigs.minimal())),
                store, new ServerLocks(), leads::get, time);

        assertThat(retention.purge()).isZero();
        assertThat(store.all()).extracting(ServerRecord::id).containsExactly(old.id());
        leads.set(true); // it gains the leadership: its next hour deletes
        assertThat(retention.purge()).isEqualTo(1);
    }
}
