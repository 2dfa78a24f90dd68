package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.DeploymentIdentity;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of this deployment's jobs, {@code <prefix>-<deployment id>-<server id>}, and how a
 * name seen in a listing is read: this deployment's, another deployment's with the same prefix,
 * or one with the prefix that no deployment can be named for (an older version's
 * {@code <prefix>-<server id>}, another tool's). Only this deployment's jobs are ever cancelled
 * without an operator.
 */
public final class JobNames {

    /** Whose a job with the prefix is. */
    public enum Owner {
        THIS_DEPLOYMENT, OTHER_DEPLOYMENT, UNATTRIBUTED
    }

    /** A name read: its owner and, for named deployments, the deployment's id. */
    public record Reading(Owner owner, Optional<String> deployment) {
    }

    private final String prefix;
    private final DeploymentIdentity identity;
    private final Pattern named;

    public JobNames(String prefix, DeploymentIdentity identity) {
        this.prefix = prefix + "-";
        this.identity = identity;
        this.named = Pattern.compile(Pattern.quote(this.prefix) + "([a-z0-9]{6})-[a-z0-9]{12}");
    }

    /** The job name of a start with this server id. */
    public String nameFor(String serverId) {
        return prefix + identity.id() + "-" + serverId;
    }

    /** What every job name of every deployment with this prefix starts with (the listing's filter). */
    public String sharedPrefix() {
        return prefix;
    }

    public DeploymentIdentity identity() {
        return identity;
    }

    /** Reads a name that starts with {@link #sharedPrefix()}. */
    public Reading read(String name) {
        Matcher m = named.matcher(name);
        if (!m.matches()) {
            return new Reading(Owner.UNATTRIBUTED, Optional.empty());
        }
        String deployment = m.group(1);
        return new Reading(deployment.equals(identity.id()) ? Owner.THIS_DEPLOYMENT : Owner.OTHER_DEPLOYMENT,
                Optional.of(deployment));
    }
}
