package io.hpcspawner.watch;

import io.hpcspawner.spawn.model.HeldOrphan;
import io.hpcspawner.spawn.service.OrphanSweep;
import io.smallrye.health.api.HealthGroup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

/**
 * {@code job-ownership} in {@code GET /q/health/group/systems}: DOWN while jobs of this deployment
 * without a server are held for an operator (see {@link OrphanSweep}); other deployments seen with
 * the same job-name prefix are listed in its data (their jobs are left alone). Not part of
 * readiness.
 */
@HealthGroup("systems")
@ApplicationScoped
public class JobOwnershipHealthCheck implements HealthCheck {

    private final OrphanSweep sweep;

    public JobOwnershipHealthCheck(OrphanSweep sweep) {
        this.sweep = sweep;
    }

    @Override
    public HealthCheckResponse call() {
        List<HeldOrphan> held = sweep.held();
        HealthCheckResponseBuilder r = HealthCheckResponse.named("job-ownership").status(held.isEmpty());
        r.withData("held-orphans", held.size());
        if (!held.isEmpty()) {
            r.withData("action", "check GET /api/v1/admin/orphans, then POST /api/v1/admin/orphans/release");
        }
        for (Map.Entry<String, Map<String, Integer>> e : sweep.otherDeployments().entrySet()) {
            e.getValue().forEach((deployment, jobs) -> r.withData("other-deployment." + e.getKey() + "." + deployment,
                    jobs + " live job(s), left alone"));
        }
        return r.build();
    }
}
