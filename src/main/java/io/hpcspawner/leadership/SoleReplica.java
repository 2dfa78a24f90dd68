package io.hpcspawner.leadership;

import io.hpcspawner.spawn.port.Leadership;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The leadership of a single replica (the file store, the default): it always leads. The store's
 * own lock keeps a second instance off the same records.
 */
public final class SoleReplica implements Leadership {

    public SoleReplica(String identity, MeterRegistry meters) {
        Gauge.builder(LeaseLeadership.METER, () -> 1).tag("identity", identity)
                .description("1 while this replica runs the watcher and the record retention, 0 while another does")
                .register(meters);
    }

    @Override
    public boolean leads() {
        return true;
    }
}
