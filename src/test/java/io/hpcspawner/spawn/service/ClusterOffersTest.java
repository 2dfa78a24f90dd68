package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.scheduler.ForwardingScheduler;
import io.hpcspawner.spawn.model.ClusterOffer;
import io.hpcspawner.spawn.model.ClusterOffer.PartitionOffer;
import io.hpcspawner.spawn.model.ClusterOffer.ReservationOffer;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.port.UserInfo;
import io.hpcspawner.support.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What the options form is built from: each system's offer to a user, read through a scripted
 * scheduler (no Quarkus). Reads are kept 30 s; a failed part is unknown, never "none"; a dead or
 * slow system is unavailable and leaves the others alone; only the reservations a user may use,
 * and that have not ended, are offered.
 */
class ClusterOffersTest {

    static final Instant NOW = Instant.parse("2026-12-03T09:00:00Z");
    final FakeTime time = new FakeTime(NOW);

    /** A scheduler whose answers the test sets; every read is counted, a null answer fails. */
    static final class Scripted extends ForwardingScheduler {
        volatile List<Partition> partitions = List.of(new Partition("normal", "UP", 256, 2, 720, 2, 1, 1, 128, 128),
                new Partition("debug", "DOWN", 128, 1));
        volatile List<Reservation> reservations = List.of();
        volatile UserInfo user = new UserInfo("alice", Optional.of("proj1"), List.of("proj1", "proj2"));
        volatile CountDownLatch gate;
        final AtomicInteger reads = new AtomicInteger();

        Scripted() {
            super(ForwardingScheduler.expectingNoCall());
        }

        @Override
        public List<Partition> partitions() {
            reads.incrementAndGet();
            awaitGate();
            return answer(partitions);
        }

        @Override
        public List<Reservation> reservations() {
            reads.incrementAndGet();
            return answer(reservations);
        }

        @Override
        public UserInfo userInfo(String name) {
            reads.incrementAndGet();
            return answer(user);
        }

        private void awaitGate() {
            try {
                if (gate != null) {
                    gate.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static <T> T answer(T value) {
            if (value == null) {
                throw new SchedulerException("HTTP 503 from the scheduler API", true);
            }
            return value;
        }
    }

    final Scripted daint = new Scripted();
    final Scripted eiger = new Scripted();

    /** Reads on the calling thread: each offer is read at once and deterministic. */
    ClusterOffers offers() {
        return new ClusterOffers(new SchedulerRegistry(Map.of("daint", daint, "eiger", eiger)), time, Runnable::run,
                Duration.ofSeconds(3));
    }

    static Reservation reservation(String name, Instant end, List<String> users, List<String> accounts) {
        return new Reservation(name, Optional.of("normal"), NOW.minusSeconds(3600), end, Optional.of(users),
                Optional.of(accounts));
    }

    @Test
    void anOfferCarriesLimitsLoadAccountsAndIsReadOnceIn30Seconds() {
        ClusterOffers offers = offers();

        ClusterOffer first = offers.offer("daint", "alice");

        assertThat(first.available()).isTrue();
        assertThat(first.partitions()).contains(List.of(new PartitionOffer("normal", true, 720, 2, 2, 1, 256),
                new PartitionOffer("debug", false, 0, 0, 1, -1, 128)));
        assertThat(first.accounts()).contains(List.of("proj1", "proj2"));
        assertThat(first.defaultAccount()).contains("proj1");
        assertThat(first.reservations()).contains(List.of());
        assertThat(daint.reads).hasValue(3);

        time.advance(Duration.ofSeconds(29));
        daint.partitions = List.of();
        assertThat(offers.offer("daint", "alice")).isEqualTo(first);
        assertThat(daint.reads).hasValue(3);

        time.advance(Duration.ofSeconds(2));
        assertThat(offers.offer("daint", "alice").partitions()).contains(List.of());
        assertThat(daint.reads).hasValue(6);
    }

    @Test
    void partitionsAndReservationsAreReadOncePerSystemAccountsOncePerUser() {
        ClusterOffers offers = offers();

        offers.offer("daint", "alice");
        daint.user = new UserInfo("bob", Optional.empty(), List.of("proj9"));
        ClusterOffer bob = offers.offer("daint", "bob");

        assertThat(bob.accounts()).contains(List.of("proj9"));
        assertThat(daint.reads).as("partitions, reservations, alice's and bob's accounts").hasValue(4);
    }

    @Test
    void aPartThatFailedIsUnknownNotNone() {
        daint.reservations = null;
        daint.user = null;

        ClusterOffer offer = offers().offer("daint", "alice");

        assertThat(offer.available()).isTrue();
        assertThat(offer.partitions()).isPresent();
        assertThat(offer.reservations()).as("reservations unknown").isEmpty();
        assertThat(offer.accounts()).as("accounts unknown").isEmpty();
        assertThat(offer.defaultAccount()).isEmpty();
    }

    @Test
    void aDeadSystemIsUnavailableInPlainWordsWhileAnotherIsOffered() {
        daint.partitions = null;
        ClusterOffers offers = offers();

        ClusterOffer dead = offers.offer("daint", "alice");
        ClusterOffer alive = offers.offer("eiger", "alice");

        assertThat(dead.available()).isFalse();
        assertThat(dead.unavailableReason()).startsWith("the cluster daint does not answer now")
                .contains("HTTP 503");
        assertThat(dead.partitions()).isEmpty();
        assertThat(alive.available()).isTrue();
        assertThat(alive.partitions()).get().asList().hasSize(2);
    }

    @Test
    void aSlowSystemIsUnavailableAfterThePatienceAndItsLateAnswerServesTheNextView() throws Exception {
        daint.gate = new CountDownLatch(1);
        var threads = Executors.newCachedThreadPool();
        try {
            ClusterOffers offers = new ClusterOffers(new SchedulerRegistry(Map.of("daint", daint, "eiger", eiger)), time,
                    threads, Duration.ofMillis(200));
            long t0 = System.nanoTime();

            ClusterOffer slow = offers.offer("daint", "alice");
            ClusterOffer other = offers.offer("eiger", "alice");

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            assertThat(slow.available()).isFalse();
            assertThat(slow.unavailableReason()).contains("did not answer within");
            assertThat(other.available()).isTrue();

            daint.gate.countDown();
            Thread.sleep(300);
            ClusterOffer late = offers.offer("daint", "alice");
            assertThat(late.available()).isTrue();
            assertThat(daint.reads).as("the late read was not repeated").hasValue(3);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void severalSlowSystemsTogetherWaitThePatienceOnce() throws Exception {
        daint.gate = new CountDownLatch(1);
        eiger.gate = daint.gate;
        var threads = Executors.newCachedThreadPool();
        try {
            ClusterOffers offers = new ClusterOffers(new SchedulerRegistry(Map.of("daint", daint, "eiger", eiger)), time,
                    threads, Duration.ofMillis(500));
            long t0 = System.nanoTime();

            Map<String, ClusterOffer> both = offers.offers(List.of("eiger", "daint"), "alice");

            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(900));
            assertThat(both).containsOnlyKeys("eiger", "daint");
            assertThat(both.values()).allSatisfy(o -> assertThat(o.available()).isFalse());
        } finally {
            daint.gate.countDown();
            threads.shutdownNow();
        }
    }

    @Test
    void onlyReservationsTheUserMayUseAndThatHaveNotEndedAreOffered() {
        Instant later = NOW.plusSeconds(7200);
        daint.reservations = List.of(
                reservation("mine", later, List.of("alice"), List.of()),
                reservation("bobs", later, List.of("bob"), List.of()),
                reservation("myproject", later, List.of(), List.of("proj2")),
                reservation("otherproject", later, List.of(), List.of("proj7")),
                reservation("allbutalice", later, List.of("-alice"), List.of()),
                reservation("allbutbob", later, List.of("-bob"), List.of()),
                reservation("open", later, List.of(), List.of()),
                reservation("ended", NOW.minusSeconds(1), List.of("alice"), List.of()),
                new Reservation("unsaid", Optional.empty(), NOW, later, Optional.empty(), Optional.empty()));

        ClusterOffer offer = offers().offer("daint", "alice");

        assertThat(offer.reservations()).get().asList().extracting(r -> ((ReservationOffer) r).name())
                .containsExactly("mine", "myproject", "allbutbob", "open", "unsaid");
        assertThat(offer.reservations().get().get(0))
                .isEqualTo(new ReservationOffer("mine", Optional.of("normal"), NOW.minusSeconds(3600), later));
    }

    @Test
    void aReservationForAccountsIsOfferedWhenTheUsersAccountsAreUnknown() {
        daint.user = new UserInfo("alice", Optional.empty(), List.of()); // slurmrestd without slurmdbd
        daint.reservations = List.of(reservation("course", NOW.plusSeconds(60), List.of(), List.of("proj7")),
                reservation("bobs", NOW.plusSeconds(60), List.of("bob"), List.of()));

        ClusterOffer offer = offers().offer("daint", "alice");

        assertThat(offer.accounts()).isEmpty();
        assertThat(offer.reservations()).get().asList().extracting(r -> ((ReservationOffer) r).name())
                .containsExactly("course");
    }
}
