package io.hpcspawner.spawn.port;

/**
 * Whether this replica may do the background work now: the watcher's rounds (restart repair,
 * lost-submit adoption, orphans) and the retention of ended records. With several replicas only
 * one leads; a round asks again before each side effect, so a replica that lost the leadership
 * mid-round stops before its next scheduler call or record write.
 */
@FunctionalInterface
public interface Leadership {

    /** True while this replica leads and its claim is fresh enough that no other replica can lead yet. */
    boolean leads();
}
