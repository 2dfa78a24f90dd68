package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ClusterOffer;
import io.hpcspawner.spawn.model.ClusterOffer.PartitionOffer;
import io.hpcspawner.spawn.port.Partition;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import io.hpcspawner.spawn.port.UserInfo;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each system offers each user now (partitions, accounts, reservations), read through the
 * system's scheduler and kept for {@link #FRESH} so that a form and the start that follows it see
 * the same values without asking the cluster twice. A system that does not answer is offered as
 * unavailable, with the reason; it never affects another system's offer.
 */
@ApplicationScoped
public class ClusterOffers {

    /** How long one read of a system serves forms and starts. */
    public static final Duration FRESH = Duration.ofSeconds(30);

    private record Key(String system, String user) {
    }

    private final SchedulerRegistry schedulers;
    private final Clock clock;
    private final Map<Key, ClusterOffer> cache = new ConcurrentHashMap<>();

    public ClusterOffers(SchedulerRegistry schedulers, Clock clock) {
        this.schedulers = schedulers;
        this.clock = clock;
    }

    /** What {@code system} offers {@code unixUser} now, from the cache when fresh. */
    public ClusterOffer offer(String system, String unixUser) {
        Instant now = clock.instant();
        Key key = new Key(system, unixUser);
        ClusterOffer cached = cache.get(key);
        if (cached != null && cached.readAt().plus(FRESH).isAfter(now)) {
            return cached;
        }
        ClusterOffer fresh = read(system, unixUser, now);
        cache.put(key, fresh);
        return fresh;
    }

    private ClusterOffer read(String system, String unixUser, Instant now) {
        Scheduler scheduler = schedulers.forSystem(system);
        List<Partition> partitions;
        try {
            partitions = scheduler.partitions();
        } catch (SchedulerException e) {
            return ClusterOffer.unavailable(system, "the cluster " + system + " does not answer now: "
                    + e.getMessage(), now);
        }
        Optional<UserInfo> user;
        try {
            user = Optional.of(scheduler.userInfo(unixUser));
        } catch (SchedulerException e) {
            user = Optional.empty();
        }
        List<PartitionOffer> offered = partitions.stream()
                .map(p -> new PartitionOffer(p.name(), "UP".equalsIgnoreCase(p.state()), 0, 0, p.totalNodes(), -1,
                        p.totalCpus()))
                .toList();
        Optional<List<String>> accounts = user.map(UserInfo::accounts).filter(a -> !a.isEmpty());
        return new ClusterOffer(system, true, "", Optional.of(offered), accounts,
                user.flatMap(UserInfo::defaultAccount), Optional.empty(), now);
    }
}
