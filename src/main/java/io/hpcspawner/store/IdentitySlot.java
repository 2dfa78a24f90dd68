package io.hpcspawner.store;

import io.hpcspawner.config.InvalidConfigurationException;
import io.hpcspawner.spawn.model.DeploymentIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Where a store keeps its {@link DeploymentIdentity} (a file beside the records, a ConfigMap):
 * written once, read at every start. {@link #loadOrCreate} holds the rules common to both.
 */
public interface IdentitySlot {

    /** The identity kept here, empty before the first start. */
    Optional<DeploymentIdentity> read();

    /** Keeps {@code identity} if none is kept yet; false (nothing written) when one is. */
    boolean create(DeploymentIdentity identity);

    /** Where the identity is kept, for messages (e.g. {@code /data/servers/deployment.identity}). */
    String where();

    /**
     * The kept identity, or a new one kept now. A configured id ({@code hpcspawner.deployment-id})
     * names a new store and must match a kept one: a store of another deployment is refused rather
     * than adopted, since its jobs are not ours.
     *
     * @param firstRecord when the oldest record already in the store was created (a store written by a
     *        version without identities is as old as its records), empty for none
     * @param otherStore what to tell the operator to point elsewhere, e.g. {@code hpcspawner.store.directory}
     */
    static DeploymentIdentity loadOrCreate(IdentitySlot slot, Optional<String> configured, Optional<Instant> firstRecord,
            Instant now, String otherStore) {
        if (configured.isPresent() && !DeploymentIdentity.ID.matcher(configured.get()).matches()) {
            throw new InvalidConfigurationException(List.of("hpcspawner.deployment-id must be 6 lowercase"
                    + " letters or digits, e.g. prod01"));
        }
        Optional<DeploymentIdentity> kept = slot.read();
        if (kept.isEmpty()) {
            Instant born = firstRecord.filter(t -> t.isBefore(now)).orElse(now);
            DeploymentIdentity created = new DeploymentIdentity(configured.orElseGet(DeploymentIdentity::newId), born);
            if (slot.create(created)) {
                Logger.getLogger(IdentitySlot.class).infof("This deployment's id is %s (new; kept in %s); its jobs are"
                        + " named <prefix>-%s-<server id>", created.id(), slot.where(), created.id());
                return created;
            }
            kept = slot.read(); // another replica created it first
        }
        DeploymentIdentity found = kept.orElseThrow(() -> new IllegalStateException("the deployment identity in "
                + slot.where() + " vanished while it was created"));
        if (configured.isPresent() && !configured.get().equals(found.id())) {
            throw new InvalidConfigurationException(List.of("hpcspawner.deployment-id is " + configured.get()
                    + " but the store belongs to deployment " + found.id() + " (" + slot.where() + "): point "
                    + otherStore + " at this deployment's own store, or remove the setting to use the store's id"));
        }
        return found;
    }
}
