package io.hpcspawner.scheduler;

import java.util.List;
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

    /** Cancels a job as {@code user}; a job that already ended counts as cancelled. */
    void cancel(String jobId, String user);

    /** The last {@code lines} lines of a file the job wrote (its output), read as {@code user}. */
    String tail(String path, String user, int lines);

    /** The first {@code lines} lines of a file the job wrote, read as {@code user}. */
    String head(String path, String user, int lines);

    /** The partitions the scheduler offers. */
    List<Partition> partitions();

    /** Facts about a user as the scheduler knows them. */
    UserInfo userInfo(String user);

    /** The cluster's health as the scheduler API reports it (one call, no retries). */
    default SystemHealth health() {
        return SystemHealth.unknown("this scheduler API reports no health");
    }
}
