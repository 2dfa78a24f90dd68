package io.hpcspawner.spawn.model;

import java.time.Duration;

/**
 * How long the records of ended servers are kept, resolved once from the site's configuration.
 *
 * @param endedRecords the age after which a stopped or failed server's record is deleted (positive)
 */
public record RetentionRules(Duration endedRecords) {

    public RetentionRules {
        if (endedRecords.isNegative() || endedRecords.isZero()) {
            throw new IllegalArgumentException("the retention of ended records must be positive, got " + endedRecords);
        }
    }
}
