package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.port.JobInfo;
import io.hpcspawner.spawn.port.JobPhase;
import java.util.List;
import java.util.Optional;

/**
 * Finds the job of a submit whose answer was lost (a 503, a timeout, the service cut off mid-submit)
 * by the start's unique job name, in a listing the caller made. Each caller keeps its own rule for
 * a listing that failed; the choice among the listed jobs is made here only.
 */
public final class LostSubmits {

    private LostSubmits() {
    }

    /**
     * The job named {@code name} in {@code listing}: the first one listed that has not ended, else
     * the first one listed (two jobs share a name only if a submit was sent twice, and then the one
     * alive is the start's).
     */
    public static Optional<JobInfo> byName(List<JobInfo> listing, String name) {
        List<JobInfo> named = listing.stream().filter(j -> j.name().equals(name)).toList();
        return named.stream().filter(j -> j.phase() != JobPhase.ENDED).findFirst().or(() -> named.stream().findFirst());
    }
}
