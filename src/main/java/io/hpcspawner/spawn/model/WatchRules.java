package io.hpcspawner.spawn.model;

import java.time.Duration;

/**
 * How the watcher follows the jobs, resolved once from the site's configuration.
 *
 * @param fastInterval the listing interval while a server of the system is starting or stopping
 * @param slowInterval the listing interval otherwise
 * @param jitter the fraction by which each interval is varied, so systems are not asked in step
 * @param goneGrace how long a job may be missing from the listings before it counts as gone
 * @param submitDeadline how long a submit cut off by a restart may take to show its job
 * @param maxLookUpsPerRound at most this many single-job look-ups per system per round
 * @param startTimeout how long a start may take when its profile sets no queue timeout
 * @param failureOutputLines how many last lines of a failed job's output its message shows
 */
public record WatchRules(Duration fastInterval, Duration slowInterval, double jitter, Duration goneGrace,
        Duration submitDeadline, int maxLookUpsPerRound, Duration startTimeout, int failureOutputLines) {
}
