package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ClusterOffer;
import io.hpcspawner.spawn.model.ClusterOffer.PartitionOffer;
import io.hpcspawner.spawn.model.ClusterOffer.ReservationOffer;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Reservation;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.port.UserInfo;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * What each system offers each user now (partitions with limits and load, the user's accounts, the
 * reservations the user may use), read through the system's scheduler and kept for {@link #FRESH}
 * so that a form and the start that follows it see the same values without asking the cluster
 * twice. Partitions and reservations are read once per system, accounts once per user and system;
 * the reads run side by side ({@link #offers} starts every system's at once). A system that does
 * not answer (its partitions call fails, or no answer within {@link #PATIENCE}) is offered as
 * unavailable, with the reason; it never affects another system's offer. A part whose own call
 * failed is unknown (empty), never "none".
 */
@ApplicationScoped
public class ClusterOffers {

    /** How long one read of a system serves forms and starts. */
    public static final Duration FRESH = Duration.ofSeconds(30);
    /** How long a form waits for a system; a slower read goes on and serves the next view. */
    public static final Duration PATIENCE = Duration.ofSeconds(3);

    /** What one read of a system gave: its partitions (empty when the call failed) and reservations. */
    private record SystemRead(Optional<List<Partition>> partitions, String failure,
            Optional<List<Reservation>> reservations) {
    }

    /** A read begun at {@code startedAt}, done or still running. */
    private record Pending<T>(CompletableFuture<T> result, Instant startedAt) {
        boolean freshAt(Instant now) {
            return startedAt.plus(FRESH).isAfter(now);
        }
    }

    private record UserKey(String system, String user) {
    }

    private final SchedulerRegistry schedulers;
    private final Clock clock;
    private final Executor reader;
    private final Duration patience;
    private final Map<String, Pending<SystemRead>> systemReads = new ConcurrentHashMap<>();
    private final Map<UserKey, Pending<Optional<UserInfo>>> userReads = new ConcurrentHashMap<>();

    @Inject
    public ClusterOffers(SchedulerRegistry schedulers, Clock clock) {
        this(schedulers, clock, Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cluster-offers");
            t.setDaemon(true);
            return t;
        }), PATIENCE);
    }

    /** With the threads that read and how long a form waits for a system (tests). */
    public ClusterOffers(SchedulerRegistry schedulers, Clock clock, Executor reader, Duration patience) {
        this.schedulers = schedulers;
        this.clock = clock;
        this.reader = reader;
        this.patience = patience;
    }

    /** What {@code system} offers {@code unixUser} now, from the reads of the last {@link #FRESH}. */
    public ClusterOffer offer(String system, String unixUser) {
        return offers(List.of(system), unixUser).get(system);
    }

    /**
     * What each of {@code systems} offers {@code unixUser} now, in their order: every system's reads
     * start at once and the whole answer waits at most {@link #PATIENCE}, however many are slow.
     */
    public Map<String, ClusterOffer> offers(Collection<String> systems, String unixUser) {
        Instant now = clock.instant();
        Map<String, Reads> started = new LinkedHashMap<>();
        for (String system : systems) {
            started.put(system, start(system, unixUser, now));
        }
        long deadline = System.nanoTime() + patience.toNanos();
        Map<String, ClusterOffer> offers = new LinkedHashMap<>();
        started.forEach((system, reads) -> offers.put(system, finish(system, unixUser, reads, deadline, now)));
        return offers;
    }

    /** The reads one offer is made of: the system's and the user's. */
    private record Reads(Pending<SystemRead> system, Pending<Optional<UserInfo>> user) {
    }

    private Reads start(String system, String unixUser, Instant now) {
        Scheduler scheduler = schedulers.forSystem(system);
        Pending<SystemRead> systemRead = systemReads.compute(system,
                (k, old) -> old != null && old.freshAt(now) ? old : begin(() -> readSystem(scheduler, system), now));
        Pending<Optional<UserInfo>> userRead = userReads.compute(new UserKey(system, unixUser),
                (k, old) -> old != null && old.freshAt(now) ? old : begin(() -> readUser(scheduler, unixUser), now));
        return new Reads(systemRead, userRead);
    }

    private ClusterOffer finish(String system, String unixUser, Reads reads, long deadline, Instant now) {
        Instant readAt = reads.system().startedAt();
        Optional<SystemRead> read = await(reads.system().result(), deadline);
        if (read.isEmpty()) {
            return ClusterOffer.unavailable(system, "the cluster " + system + " did not answer within "
                    + patience.toSeconds() + " s; try again in a moment", readAt);
        }
        if (read.get().partitions().isEmpty()) {
            return ClusterOffer.unavailable(system, read.get().failure(), readAt);
        }
        Optional<UserInfo> user = await(reads.user().result(), deadline).flatMap(u -> u);
        return offer(system, unixUser, read.get(), user, readAt, now);
    }

    private <T> Pending<T> begin(Supplier<T> read, Instant now) {
        return new Pending<>(CompletableFuture.supplyAsync(read, reader), now);
    }

    private static <T> Optional<T> await(CompletableFuture<T> result, long deadlineNanos) {
        try {
            return Optional.of(result.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException | ExecutionException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static SystemRead readSystem(Scheduler scheduler, String system) {
        List<Partition> partitions;
        try {
            partitions = scheduler.partitions();
        } catch (RuntimeException e) { // SchedulerException, or an adapter bug: the same to the user
            return new SystemRead(Optional.empty(), "the cluster " + system + " does not answer now: "
                    + e.getMessage(), Optional.empty());
        }
        Optional<List<Reservation>> reservations;
        try {
            reservations = Optional.of(scheduler.reservations());
        } catch (RuntimeException e) { // SchedulerException, or an adapter bug: the same to the user
            reservations = Optional.empty();
        }
        return new SystemRead(Optional.of(partitions), "", reservations);
    }

    private static Optional<UserInfo> readUser(Scheduler scheduler, String unixUser) {
        try {
            return Optional.of(scheduler.userInfo(unixUser));
        } catch (RuntimeException e) { // SchedulerException, or an adapter bug: the same to the user
            return Optional.empty();
        }
    }

    private static ClusterOffer offer(String system, String unixUser, SystemRead read, Optional<UserInfo> user,
            Instant readAt, Instant now) {
        List<PartitionOffer> partitions = read.partitions().orElseThrow().stream()
                .map(p -> new PartitionOffer(p.name(), p.up(), p.maxTimeMinutes(), p.maxNodesPerJob(), p.totalNodes(),
                        p.idleNodes(), p.totalCpus()))
                .toList();
        Optional<List<String>> accounts = user.map(UserInfo::accounts).filter(a -> !a.isEmpty());
        Optional<List<ReservationOffer>> reservations = read.reservations().map(all -> all.stream()
                .filter(r -> r.end().isAfter(now))
                .filter(r -> ReservationAccess.allows(r, unixUser, accounts))
                .map(r -> new ReservationOffer(r.name(), r.partition(), r.start(), r.end()))
                .toList());
        return new ClusterOffer(system, true, "", Optional.of(partitions), accounts,
                user.flatMap(UserInfo::defaultAccount), reservations, readAt);
    }
}
