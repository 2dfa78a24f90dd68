package io.hpcspawner.spawn.port;

/** The scheduler's many job states folded to what the service acts on. */
public enum JobPhase {
    /** Waiting for resources (pending, configuring, requeued...). */
    PENDING,
    /** The batch script runs. */
    RUNNING,
    /** Finished, failed, cancelled, timed out, or otherwise gone for good. */
    ENDED;

    /** Maps a Slurm job state name. Unknown names count as running: only positive evidence ends a job. */
    public static JobPhase ofSlurmState(String state) {
        String s = state == null ? "" : state.toUpperCase(java.util.Locale.ROOT);
        return switch (s) {
            case "PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "SUSPENDED",
                    "STAGE_OUT" -> PENDING;
            case "COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL", "DEADLINE",
                    "OUT_OF_MEMORY", "REVOKED", "SPECIAL_EXIT" -> ENDED;
            default -> RUNNING;
        };
    }
}
