package io.hpcspawner.spawn.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.DeploymentIdentity;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** How a job name with the prefix is read: only an exact match of this deployment's form is ours. */
class JobNamesTest {

    final JobNames names = new JobNames("hpcsp", new DeploymentIdentity("prod01", Instant.EPOCH));

    @Test
    void ourNamesCarryTheDeployment() {
        assertThat(names.nameFor("abcdefghijkm")).isEqualTo("hpcsp-prod01-abcdefghijkm");
        assertThat(names.read("hpcsp-prod01-abcdefghijkm").owner()).isEqualTo(JobNames.Owner.THIS_DEPLOYMENT);
    }

    @Test
    void anotherDeploymentIsNamed() {
        JobNames.Reading r = names.read("hpcsp-stag01-abcdefghijkm");
        assertThat(r.owner()).isEqualTo(JobNames.Owner.OTHER_DEPLOYMENT);
        assertThat(r.deployment()).contains("stag01");
    }

    @Test
    void anythingElseWithThePrefixIsUnattributed() {
        for (String name : new String[] {"hpcsp-abcdefghijkm", "hpcsp-prod01-abcdefghijkm-x", "hpcsp-prod01-short",
                "hpcsp-prod01-ABCDEFGHIJKM", "hpcsp-", "hpcsp-prod01-abcdefghijkm\n"}) {
            assertThat(names.read(name).owner()).as(name).isEqualTo(JobNames.Owner.UNATTRIBUTED);
        }
    }
}
