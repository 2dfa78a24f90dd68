package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.HeldOrphan;
import io.hpcspawner.spawn.model.OrphanRules;
import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.Scheduler;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.rules.JobNames;
import io.hpcspawner.spawn.rules.OrphanTriage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Carries out {@link OrphanTriage}'s verdict on each listing: cancels live jobs of this deployment
 * that belong to no server (a crash or a lost race left them behind), and nothing else; reports
 * other deployments' jobs with the same prefix and keeps the held ones for an operator, in the
 * log, the {@code systems} health group and {@code hpcspawner_orphans_held}, until released.
 */
@ApplicationScoped
public class OrphanSweep {

    private static final Logger LOG = Logger.getLogger(OrphanSweep.class);

    private final OrphanRules rules;
    private final JobNames names;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Counter cancelled;
    /** Held jobs by system, then job id; replaced each round a system answers. */
    private final Map<String, Map<String, HeldOrphan>> held = new ConcurrentHashMap<>();
    /** Other deployments' ids seen with this prefix, by system, and how many live jobs each has. */
    private final Map<String, Map<String, Integer>> others = new ConcurrentHashMap<>();
    /** Job ids an operator released: cancelled on the next round that still finds them orphaned. */
    private final Set<String> released = ConcurrentHashMap.newKeySet();
    /** Orphans whose cancel was refused for a reason that needs a person: warned once. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    public OrphanSweep(OrphanRules rules, JobNames names, Clock clock, MeterRegistry meters) {
        this.rules = rules;
        this.names = names;
        this.clock = clock;
        this.meters = meters;
        this.cancelled = Counter.builder("hpcspawner.orphans.cancelled")
                .description("Jobs of this deployment cancelled because no server owned them").register(meters);
    }

    /**
     * One sweep over a system's listing.
     *
     * @param owned names of jobs a record still speaks for (active, or changed after the listing was asked for)
     */
    public void sweep(String system, Scheduler scheduler, List<JobInfo> jobs, Set<String> owned) {
        registerGauges(system);
        Map<String, HeldOrphan> before = held.getOrDefault(system, Map.of());
        OrphanTriage.Verdict verdict = OrphanTriage.triage(jobs, owned, names, names.identity().createdAt(),
                rules.maxCancelsPerRound(), Set.copyOf(released));
        Map<String, HeldOrphan> hold = new TreeMap<>();
        verdict.held().forEach((id, reason) -> hold.put(id, held(system, find(jobs, id), before, reason)));
        reportOthers(system, verdict.otherDeployments());
        held.put(system, hold);
        verdict.cancel().forEach(j -> cancel(scheduler, j));
        if (!hold.isEmpty() && !hold.keySet().equals(before.keySet())) {
            LOG.warnf("System %s: %d job(s) of this deployment belong to no server but are held for an operator: %s."
                    + " Check them (GET /api/v1/admin/orphans); release them for cancelling with"
                    + " POST /api/v1/admin/orphans/release", system, hold.size(), summary(hold.values()));
        }
    }

    /** The jobs held now, every system. */
    public List<HeldOrphan> held() {
        return held.values().stream().flatMap(m -> m.values().stream()).toList();
    }

    /** Other deployments seen with this prefix: system to deployment id to live jobs. */
    public Map<String, Map<String, Integer>> otherDeployments() {
        return Map.copyOf(others);
    }

    /**
     * Releases held jobs for cancelling in the next round that still finds them without a server.
     *
     * @param jobIds the jobs to release, empty for every held one
     * @return the held jobs released
     */
    public List<HeldOrphan> release(Optional<Collection<String>> jobIds) {
        List<HeldOrphan> chosen = held().stream().filter(h -> jobIds.map(ids -> ids.contains(h.jobId())).orElse(true))
                .toList();
        chosen.forEach(h -> released.add(h.jobId()));
        chosen.forEach(h -> LOG.warnf("Orphaned job %s (%s on %s, user %s) released by an operator: it will be cancelled",
                h.jobId(), h.name(), h.system(), h.user()));
        return chosen;
    }

    private HeldOrphan held(String system, JobInfo j, Map<String, HeldOrphan> before, String reason) {
        HeldOrphan earlier = before.get(j.id());
        return new HeldOrphan(system, j.id(), j.name(), j.user(), j.state(), reason,
                earlier == null ? clock.instant() : earlier.since());
    }

    private void cancel(Scheduler scheduler, JobInfo j) {
        try {
            scheduler.cancel(j.id(), j.user());
            released.remove(j.id());
            cancelled.increment();
            LOG.warnf("Cancelled job %s (%s, user %s): it belongs to no server of this deployment", j.id(), j.name(),
                    j.user());
        } catch (SchedulerException e) {
            if (e.isTransient() || refused.add(j.id())) {
                LOG.warnf("Cancelling orphaned job %s failed%s: %s", j.id(),
                        e.isTransient() ? "" : " (said once; tried again every round)", e.getMessage());
            }
        }
    }

    private void reportOthers(String system, Map<String, Integer> seen) {
        Map<String, Integer> earlier = others.getOrDefault(system, Map.of());
        for (String deployment : seen.keySet()) {
            if (!earlier.containsKey(deployment)) {
                LOG.warnf("System %s runs jobs of another deployment (%s) with this deployment's job-name prefix %s:"
                        + " they are left alone. Give each deployment its own prefix (hpcspawner.job-name-prefix) to"
                        + " keep them apart", system, deployment, rules.jobNamePrefix());
            }
        }
        others.put(system, seen);
    }

    private static JobInfo find(List<JobInfo> jobs, String id) {
        return jobs.stream().filter(j -> j.id().equals(id)).findFirst().orElseThrow();
    }

    private static String summary(Collection<HeldOrphan> hold) {
        Set<String> parts = new TreeSet<>();
        hold.forEach(h -> parts.add(h.jobId() + " (" + h.name() + ", " + h.user() + "): " + h.reason()));
        return String.join("; ", parts);
    }

    private final Set<String> gauged = ConcurrentHashMap.newKeySet();

    private void registerGauges(String system) {
        if (gauged.add(system)) {
            Gauge.builder("hpcspawner.orphans.held", held, h -> h.getOrDefault(system, Map.of()).size())
                    .description("Jobs of this deployment without a server, held for an operator").tag("system", system)
                    .register(meters);
            Gauge.builder("hpcspawner.foreign.jobs", others,
                    o -> o.getOrDefault(system, Map.of()).values().stream().mapToInt(Integer::intValue).sum())
                    .description("Live jobs of other deployments with this deployment's job-name prefix")
                    .tag("system", system).register(meters);
        }
    }
}
