package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sorts the live jobs of one listing that no server owns: this deployment's are cancelled, other
 * deployments' with the same prefix are only counted, and a job is held for an operator when its
 * name names no deployment, when it was submitted before this deployment's store began (the store
 * may have been replaced), or when more of them than the limit would be cancelled at once (an
 * emptied or wrong store makes every running server look orphaned). Pure: the sweep acts on the verdict.
 */
public final class OrphanTriage {

    private OrphanTriage() {
    }

    /**
     * What to do with a listing's unowned jobs.
     *
     * @param cancel this deployment's jobs to cancel now
     * @param held job id to why it waits for an operator, by job id
     * @param otherDeployments other deployments' ids to how many live jobs each has here
     */
    public record Verdict(List<JobInfo> cancel, Map<String, String> held, Map<String, Integer> otherDeployments) {
    }

    /**
     * The verdict on {@code listing}.
     *
     * @param owned names of jobs a record still speaks for
     * @param storeBegan when this deployment's store began
     * @param limit at most this many cancels at once without an operator
     * @param released jobs an operator released for cancelling (never held again)
     */
    public static Verdict triage(List<JobInfo> listing, Set<String> owned, JobNames names, Instant storeBegan, int limit,
            Set<String> released) {
        Map<String, String> held = new TreeMap<>();
        Map<String, Integer> others = new TreeMap<>();
        List<JobInfo> ours = new ArrayList<>();
        for (JobInfo j : listing) {
            if (j.phase() == JobPhase.ENDED || "COMPLETING".equalsIgnoreCase(j.state())
                    || !j.name().startsWith(names.sharedPrefix()) || owned.contains(j.name())) {
                continue;
            }
            JobNames.Reading reading = names.read(j.name());
            switch (reading.owner()) {
                case OTHER_DEPLOYMENT -> others.merge(reading.deployment().orElseThrow(), 1, Integer::sum);
                case UNATTRIBUTED -> held.put(j.id(),
                        "its name carries no deployment id (written by an older version or another tool)");
                case THIS_DEPLOYMENT -> {
                    if (j.submittedAt().filter(t -> t.isBefore(storeBegan)).isPresent()) {
                        held.put(j.id(), "it was submitted before this deployment's store began (" + storeBegan
                                + "): the store may have been replaced");
                    } else {
                        ours.add(j);
                    }
                }
            }
        }
        List<JobInfo> cancel = new ArrayList<>();
        for (JobInfo j : ours) {
            if (ours.size() > limit && !released.contains(j.id())) {
                held.put(j.id(), ours.size() + " jobs would be cancelled at once (limit " + limit
                        + ", hpcspawner.orphans.max-cancels-per-round)");
            } else {
                cancel.add(j);
            }
        }
        listing.stream().filter(j -> held.containsKey(j.id()) && released.contains(j.id())).forEach(j -> {
            held.remove(j.id());
            cancel.add(j);
        });
        return new Verdict(List.copyOf(cancel), Collections.unmodifiableMap(held), Collections.unmodifiableMap(others));
    }
}
