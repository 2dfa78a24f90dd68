package io.hpcspawner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcspawner.spawn.model.Change;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.StaleRecordException;
import io.hpcspawner.spawn.port.ServerStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ServerStore} does, run against each store by a subclass that says how to
 * make one: an empty store, another instance on the same backing (a restart), and a second live
 * instance where the store supports several replicas.
 */
public abstract class ServerStoreContract {

    /** A store on new, empty backing. */
    protected abstract ServerStore newStore();

    /** A new instance on the backing of the last {@link #newStore()}: what a restart sees. */
    protected abstract ServerStore reopen();

    /** A second live instance on the same backing, for stores made for several replicas; empty otherwise. */
    protected abstract Optional<ServerStore> secondReplica();

    /** A record with every field set, as a server that ran and ended leaves it. */
    public static ServerRecord everyFieldSet(ServerKey key) {
        ServerRecord r = ServerRecords.queued(key, "4711");
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        r.apply(new Change(ServerState.QUEUED, Optional.empty(), Optional.empty(), Optional.empty(), List.of(
                new Change.PendingReason("Priority"), new Change.ExpectedStart(at.plusSeconds(600)),
                new Change.QueuePosition(3), new Change.UnknownSince(at), new Change.MissingSince(at))), at);
        r.apply(new Change(ServerState.RUNNING, Optional.of("Server ready"), Optional.empty(), Optional.empty(), List.of(
                new Change.Node("nid001"), new Change.Endpoint("nid001.cluster", 50123, "http://nid001.cluster:50123/"))),
                at.plusSeconds(1));
        r.apply(new Change(ServerState.FAILED, Optional.of("The job ended"), Optional.of("job_failed"), Optional.of(3),
                List.of()), at.plusSeconds(2));
        return r;
    }

    @Test
    void aSavedRecordIsFoundWithEveryFieldAlsoAfterARestart() {
        ServerStore store = newStore();
        ServerRecord r = everyFieldSet(new ServerKey("alice@example.org", "gpu-1"));
        store.save(r);

        for (ServerStore s : List.of(store, reopen())) {
            ServerRecord back = s.find(r.key()).orElseThrow();
            assertThat(back).usingRecursiveComparison().isEqualTo(r);
            assertThat(s.findById(r.id()).orElseThrow().key()).isEqualTo(r.key());
            assertThat(s.all()).extracting(ServerRecord::id).containsExactly(r.id());
        }
    }

    @Test
    void aNewStartReplacesTheOldRecordOfTheSameServer() {
        ServerStore store = newStore();
        ServerKey key = new ServerKey("bob", "");
        ServerRecord first = ServerRecords.queued(key, "1");
        store.save(first);
        ServerRecord second = ServerRecords.queued(key, "2");
        store.save(second);

        for (ServerStore s : List.of(store, reopen())) {
            assertThat(s.all()).extracting(ServerRecord::jobId).containsExactly("2");
            assertThat(s.findById(first.id())).as("the earlier start is gone").isEmpty();
            assertThat(s.findById(second.id()).orElseThrow().jobId()).isEqualTo("2");
        }
    }

    @Test
    void aChangeSavedAgainIsSeenAtOnce() {
        ServerStore store = newStore();
        ServerKey key = new ServerKey("carol", "lab");
        store.save(ServerRecords.queued(key, "7"));
        ServerRecord read = store.find(key).orElseThrow();
        store.save(ServerRecords.enter(read, ServerState.STOPPING, "Stopping", Instant.now()));
        store.save(ServerRecords.enter(read, ServerState.STOPPED, "Stopped", Instant.now()));

        assertThat(store.find(key).orElseThrow().state()).isEqualTo(ServerState.STOPPED);
        assertThat(store.findById(read.id()).orElseThrow().state()).isEqualTo(ServerState.STOPPED);
        assertThat(reopen().find(key).orElseThrow().state()).isEqualTo(ServerState.STOPPED);
    }

    @Test
    void copiesHandedOutDoNotChangeTheStore() {
        ServerStore store = newStore();
        ServerRecord r = ServerRecords.queued(new ServerKey("dave", ""), "9");
        store.save(r);
        ServerRecord copy = store.find(r.key()).orElseThrow();
        ServerRecords.enter(copy, ServerState.STOPPING, "Stopping", Instant.now());
        ServerRecords.enter(r, ServerState.STOPPING, "Stopping", Instant.now());
        assertThat(store.find(r.key()).orElseThrow().state()).isEqualTo(ServerState.QUEUED);
        assertThat(store.all()).singleElement().extracting(ServerRecord::state).isEqualTo(ServerState.QUEUED);
    }

    @Test
    void aDeletedRecordStaysDeletedAfterARestart() {
        ServerStore store = newStore();
        ServerRecord gone = ServerRecords.queued(new ServerKey("dave", ""), "1");
        ServerRecord kept = ServerRecords.queued(new ServerKey("dave", "other"), "2");
        store.save(gone);
        store.save(kept);
        assertThat(store.delete(gone.key(), gone.id())).isTrue();
        assertThat(store.delete(gone.key(), gone.id())).as("deleted once").isFalse();

        for (ServerStore s : List.of(store, reopen())) {
            assertThat(s.find(gone.key())).isEmpty();
            assertThat(s.findById(gone.id())).isEmpty();
            assertThat(s.all()).extracting(ServerRecord::id).containsExactly(kept.id());
        }
    }

    @Test
    void aDeleteMeantForAnEarlierStartLeavesTheNewOne() {
        ServerStore store = newStore();
        ServerKey key = new ServerKey("erin", "");
        ServerRecord earlier = ServerRecords.queued(key, "1");
        store.save(earlier);
        ServerRecord later = ServerRecords.queued(key, "2");
        store.save(later);
        assertThat(store.delete(key, earlier.id())).isFalse();
        assertThat(reopen().find(key).orElseThrow().id()).isEqualTo(later.id());
    }

    @Test
    void aServerCanStartAgainAfterItsRecordWasDeleted() {
        ServerStore store = newStore();
        ServerKey key = new ServerKey("frank", "");
        ServerRecord first = ServerRecords.queued(key, "1");
        store.save(first);
        store.delete(key, first.id());
        ServerRecord again = ServerRecords.queued(key, "2");
        store.save(again);
        assertThat(store.find(key).orElseThrow().id()).isEqualTo(again.id());
        assertThat(reopen().find(key).orElseThrow().jobId()).isEqualTo("2");
    }

    /** Users choose their names: names alike after lowercasing or sanitising stay different servers. */
    @Test
    void serversOfUsersWithLookAlikeNamesStayApart() {
        List<ServerKey> keys = List.of(new ServerKey("alice", ""), new ServerKey("Alice", ""),
                new ServerKey("alice", "x"), new ServerKey("alice.x", ""), new ServerKey("a.b@c+d", ""),
                new ServerKey("a.b+c@d", "") /* the same label value as a.b@c+d */, new ServerKey("a-b@c-d", "-"),
                new ServerKey("x".repeat(64), "y".repeat(64)), new ServerKey("x".repeat(64), "y".repeat(63)),
                new ServerKey("9", "..x"));
        ServerStore store = newStore();
        List<ServerRecord> saved = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            ServerRecord r = ServerRecords.queued(keys.get(i), "job" + i);
            store.save(r);
            saved.add(r);
        }
        for (ServerStore s : List.of(store, reopen())) {
            assertThat(s.all()).hasSize(keys.size());
            for (ServerRecord r : saved) {
                assertThat(s.find(r.key()).orElseThrow().jobId()).as(r.key().toString()).isEqualTo(r.jobId());
                assertThat(s.findById(r.id()).orElseThrow().key()).isEqualTo(r.key());
            }
        }
    }

    @Test
    void concurrentSavesOfDifferentServersAreAllKept() throws Exception {
        ServerStore store = newStore();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<ServerRecord>> saves = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int n = i;
                saves.add(pool.submit(() -> {
                    ServerRecord r = ServerRecords.queued(new ServerKey("user" + (n % 8), "s" + n), "j" + n);
                    store.save(r);
                    ServerRecords.enter(r, ServerState.STOPPED, "Stopped", Instant.now());
                    store.save(r); // the same copy again: its version is the one its first save wrote
                    return r;
                }));
            }
            List<ServerRecord> all = new ArrayList<>();
            for (Future<ServerRecord> f : saves) {
                all.add(f.get());
            }
            for (ServerStore s : List.of(store, reopen())) {
                assertThat(s.all()).hasSize(40).allSatisfy(r -> assertThat(r.state()).isEqualTo(ServerState.STOPPED));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Two replicas on one store: the one that saves a copy older than the stored record writes nothing. */
    @Test
    void aSaveOfAStaleCopyFailsAndOverwritesNothing() {
        ServerStore one = newStore();
        Optional<ServerStore> second = secondReplica();
        Assumptions.assumeTrue(second.isPresent(), "a single-replica store: a second instance is refused (StoreLock)");
        ServerStore two = second.get();
        ServerKey key = new ServerKey("grace", "");
        ServerRecord r = ServerRecords.queued(key, "1");
        one.save(r);

        ServerRecord theirs = awaitRecord(two, key);
        two.save(ServerRecords.enter(theirs, ServerState.STOPPING, "Stopping (replica two)", Instant.now()));

        ServerRecords.enter(r, ServerState.RUNNING, "Running (replica one, stale)", Instant.now());
        assertThatThrownBy(() -> one.save(r)).isInstanceOf(StaleRecordException.class)
                .hasMessageContaining(key.toString()).hasMessageContaining("read it again");
        assertThat(reopen().find(key).orElseThrow().message()).isEqualTo("Stopping (replica two)");

        ServerRecord fresh = one.find(key).orElseThrow();
        assertThat(fresh.message()).as("after the lost race, reading again shows the winner at once")
                .isEqualTo("Stopping (replica two)");
        one.save(ServerRecords.enter(fresh, ServerState.STOPPED, "Stopped (replica one, after reading again)", Instant.now()));
        assertThat(reopen().find(key).orElseThrow().state()).isEqualTo(ServerState.STOPPED);
    }

    @Test
    void twoReplicasStartingTheSameServerAtOnceKeepOneStart() {
        ServerStore one = newStore();
        Optional<ServerStore> second = secondReplica();
        Assumptions.assumeTrue(second.isPresent(), "a single-replica store");
        ServerKey key = new ServerKey("heidi", "");
        ServerRecord mine = ServerRecords.queued(key, "1");
        ServerRecord theirs = ServerRecords.queued(key, "2");
        one.save(mine);
        assertThatThrownBy(() -> second.get().save(theirs)).isInstanceOf(StaleRecordException.class);
        assertThat(reopen().find(key).orElseThrow().id()).isEqualTo(mine.id());
    }

    /** A replica decided on the stopped record it read; meanwhile the other started the server anew. */
    @Test
    void aNewStartDecidedOnAnOldRecordFailsWhenTheServerStartedElsewhere() {
        ServerStore one = newStore();
        Optional<ServerStore> second = secondReplica();
        Assumptions.assumeTrue(second.isPresent(), "a single-replica store");
        ServerKey key = new ServerKey("ivan", "");
        one.save(ServerRecords.ended(key, ServerState.STOPPED, Instant.now()));
        ServerRecord seenByTwo = awaitRecord(second.get(), key);
        assertThat(seenByTwo.state()).isEqualTo(ServerState.STOPPED);

        ServerRecord startedByOne = ServerRecords.queued(key, "1");
        one.save(startedByOne);
        ServerRecord startedByTwo = ServerRecords.queued(key, "2");
        assertThatThrownBy(() -> second.get().save(startedByTwo)).isInstanceOf(StaleRecordException.class);
        assertThat(reopen().find(key).orElseThrow().id()).isEqualTo(startedByOne.id());
    }

    /** The record as another replica's cache shows it once its watch brought the write in. */
    private static ServerRecord awaitRecord(ServerStore store, ServerKey key) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> store.find(key), Optional::isPresent).orElseThrow();
    }

    @Test
    void oneUsersRecordsAreTheirsAloneEvenWhenAnotherNameStartsWithTheirs() {
        ServerStore store = newStore();
        store.save(ServerRecords.queued(new ServerKey("ann", ""), "1"));
        store.save(ServerRecords.queued(new ServerKey("ann", "gpu"), "2"));
        store.save(ServerRecords.queued(new ServerKey("anna", ""), "3"));
        store.save(ServerRecords.queued(new ServerKey("an", "x"), "4"));
        assertThat(store.ofUser("ann")).extracting(ServerRecord::jobId).containsExactlyInAnyOrder("1", "2");
        assertThat(store.ofUser("anna")).extracting(ServerRecord::jobId).containsExactly("3");
        assertThat(store.ofUser("nobody")).isEmpty();
        assertThat(reopen().ofUser("ann")).as("after a restart").hasSize(2);
        ServerRecords.withJob(store.ofUser("ann").get(0), "changed");
        assertThat(store.ofUser("ann")).extracting(ServerRecord::jobId).doesNotContain("changed");
    }

    @Test
    void countsPerSystemAndStateFollowSavesDeletesAndRestarts() {
        ServerStore store = newStore();
        ServerRecord a = ServerRecords.queuedOn(new ServerKey("fay", "a"), "1", "alps");
        ServerRecord b = ServerRecords.queuedOn(new ServerKey("fay", "b"), "2", "alps");
        store.save(a);
        store.save(b);
        store.save(ServerRecords.queuedOn(new ServerKey("gus", ""), "3", "daint"));
        eventually(() -> assertThat(store.countsOf("alps")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 2L)));

        ServerRecords.enter(a, ServerState.RUNNING, "Ready", a.createdAt().plusSeconds(9));
        store.save(a);
        eventually(() -> assertThat(store.countsOf("alps")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 1L, ServerState.RUNNING, 1L)));
        store.save(ServerRecords.queuedOn(b.key(), "4", "alps")); // a new start replaces b
        eventually(() -> assertThat(store.countsOf("alps")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 1L, ServerState.RUNNING, 1L)));
        store.delete(a.key(), a.id());
        eventually(() -> assertThat(store.countsOf("alps")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 1L)));
        ServerStore restarted = reopen();
        eventually(() -> assertThat(restarted.countsOf("daint")).isEqualTo(java.util.Map.of(ServerState.QUEUED, 1L)));
        eventually(() -> assertThat(store.countsOf("unknown")).isEmpty());
    }

    @Test
    void whereCopiesOnlyTheRecordsItAccepts() {
        ServerStore store = newStore();
        store.save(ServerRecords.queuedOn(new ServerKey("hal", "a"), "1", "alps"));
        store.save(ServerRecords.queuedOn(new ServerKey("hal", "b"), "2", "daint"));
        List<ServerRecord> alps = store.where(r -> r.system().equals("alps"));
        assertThat(alps).extracting(ServerRecord::jobId).containsExactly("1");
        ServerRecords.withJob(alps.get(0), "changed");
        assertThat(store.find(new ServerKey("hal", "a")).orElseThrow().jobId()).isEqualTo("1");
    }

    /** Index-backed counts of a shared store follow its writes within moments (the API server's watch). */
    private static void eventually(Runnable assertion) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(assertion::run);
    }
}
