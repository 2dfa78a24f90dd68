package io.hpcspawner.spawn.rules;

import java.util.Map;

/** Plain-language explanations of Slurm's pending reasons, for the person on the spawn page. */
public final class PendingReasons {

    private static final Map<String, String> TEXT = Map.ofEntries(
            Map.entry("Resources", "Resources (the nodes are busy; it starts when resources free up)"),
            Map.entry("Priority", "Priority (jobs with higher priority go first)"),
            Map.entry("ReqNodeNotAvail", "ReqNodeNotAvail (the requested nodes are not available, e.g. maintenance)"),
            Map.entry("PartitionDown", "PartitionDown (the partition is down)"),
            Map.entry("PartitionTimeLimit", "PartitionTimeLimit (the time asked for is above the partition's limit)"),
            Map.entry("QOSMaxJobsPerUserLimit", "QOSMaxJobsPerUserLimit (you have as many jobs as your QOS allows)"),
            Map.entry("AssocMaxJobsLimit", "AssocMaxJobsLimit (your account has as many jobs as it may)"),
            Map.entry("BeginTime", "BeginTime (the job waits for its start time)"),
            Map.entry("Dependency", "Dependency (the job waits for another job)"),
            Map.entry("JobHeldUser", "JobHeldUser (the job is held)"),
            Map.entry("JobHeldAdmin", "JobHeldAdmin (an administrator holds the job)"));

    private PendingReasons() {
    }

    public static String explain(String reason) {
        return TEXT.getOrDefault(reason, reason);
    }
}
