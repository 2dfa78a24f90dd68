package io.hpcspawner.spawn.port;

import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What the service needs from a cluster's scheduler API. One adapter per backend implements it;
 * adapters translate wire formats and errors and hold no domain rules. Every method may throw
 * {@link SchedulerException}; callers must read such a failure as "unknown", never as "job gone".
 */
public interface Scheduler {

    /** Submits a batch job as {@code request.user()} and returns its id. */
    String submit(JobSubmission request);

    /**
     * One batched query: the jobs with the given ids and every job whose name starts with
     * {@code namePrefix}. A job missing from the answer is not known to the scheduler (any more).
     */
    List<JobInfo> jobs(Set<String> jobIds, String namePrefix);

    /**
     * One job looked up by its id, asked of the scheduler on its own (not picked out of a listing).
     * Empty only when the scheduler says it does not know the job (any more); any doubt (a failed
     * call, an answer without the job and without such a statement) throws. This is the evidence
     * that ends a server whose job went missing from a listing.
     */
    java.util.Optional<JobInfo> job(String jobId);

    /** Cancels a job as {@code user}; a job that already ended counts as cancelled. */
    void cancel(String jobId, String user);

    /** The last {@code lines} lines of a file the job wrote (its output), read as {@code user}. */
    String tail(String path, String user, int lines);

    /** The first {@code lines} lines of a file the job wrote, read as {@code user}. */
    String head(String path, String user, int lines);

    /**
     * The partitions the scheduler offers, with their per-job limits and, where the API tells or
     * one more call counts it, their load (see {@link Partition} for what "unknown" looks like).
     */
    List<Partition> partitions();

    /** The reservations the scheduler knows (current and future; ended ones may be listed too). */
    List<Reservation> reservations();

    /** Facts about a user as the scheduler knows them. */
    UserInfo userInfo(String user);

    /**
     * Whether jobs run as whatever user name the service gives (slurmrestd: the service mints a
     * token for any name), rather than as the owner of the user's own token (FirecREST). Such a
     * backend must vet names itself: {@link #uidOf(String)}.
     */
    default boolean actsAsNamedUser() {
        return false;
    }

    /**
     * The numeric id of a user name on the cluster, or empty when the cluster has no such user.
     * Backends that do not act as named users answer empty.
     */
    default OptionalLong uidOf(String user) {
        return OptionalLong.empty();
    }

    /** The cluster's health as the scheduler API reports it (one call, no retries). */
    default SystemHealth health() {
        return SystemHealth.unknown("this scheduler API reports no health");
    }
}
