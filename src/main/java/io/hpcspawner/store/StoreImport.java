package io.hpcspawner.store;

import io.hpcspawner.config.InvalidConfigurationException;
import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.spawn.model.ServerRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Moves a deployment from one store to another at start-up ({@code hpcspawner.store.import-from}):
 * records, then sealed logins, then the deployment identity last, so an identity in the target
 * means a finished import. A target that already holds this deployment is left as it is (the
 * option may stay set across restarts); an import cut off half-way is resumed; a target holding
 * anything else (another deployment's identity, records the source does not have) is refused.
 * The source is only read.
 */
public final class StoreImport {

    private static final Logger LOG = Logger.getLogger(StoreImport.class);
    private static final String KEY = "hpcspawner.store.import-from";

    /** What an import did: how many records and logins it copied, 0 and 0 when the target had them already. */
    public record Outcome(int records, int logins, boolean done) {
    }

    private StoreImport() {
    }

    /**
     * Imports {@code source} into {@code target} unless it is there already.
     *
     * @throws InvalidConfigurationException when the target holds another deployment or the source has no identity
     */
    public static Outcome run(DeploymentStore source, DeploymentStore target) {
        Optional<DeploymentIdentity> theirs = source.identity().read();
        Optional<DeploymentIdentity> ours = target.identity().read();
        if (theirs.isEmpty()) {
            throw refused(source.description() + " has no deployment identity (" + source.identity().where()
                    + "): it is empty, or was never started by a version that keeps one; start the service on it once,"
                    + " then import");
        }
        if (ours.isPresent()) {
            if (!ours.get().id().equals(theirs.get().id())) {
                throw refused(target.description() + " belongs to deployment " + ours.get().id() + ", "
                        + source.description() + " to deployment " + theirs.get().id() + ": an import only fills an"
                        + " empty store; remove " + KEY + ", or empty the target first");
            }
            LOG.infof("%s already holds deployment %s (imported from %s before): nothing imported; %s can be removed",
                    target.description(), ours.get().id(), source.description(), KEY);
            return new Outcome(0, 0, false);
        }
        Map<String, String> sourceIds = new HashMap<>();
        List<ServerRecord> records = source.records().all();
        records.forEach(r -> sourceIds.put(r.key().toString(), r.id()));
        Map<String, String> present = new HashMap<>();
        for (ServerRecord r : target.records().all()) {
            if (!r.id().equals(sourceIds.get(r.key().toString()))) {
                throw refused(target.description() + " holds server records that are not in " + source.description()
                        + " (e.g. server " + r.key() + ", start " + r.id() + "): an import only fills an empty store;"
                        + " remove " + KEY + ", or empty the target first");
            }
            present.put(r.key().toString(), r.id());
        }
        int copied = 0;
        for (ServerRecord r : records) {
            if (!present.containsKey(r.key().toString())) { // an import cut off half-way copied the others
                target.records().save(r);
                copied++;
            }
        }
        int logins = 0;
        for (String identity : source.logins().identities()) {
            Optional<String> sealed = source.logins().read(identity);
            if (sealed.isPresent()) {
                target.logins().write(identity, sealed.get());
                logins++;
            }
        }
        if (!target.identity().create(theirs.get())) {
            throw refused(target.description() + " got a deployment identity while the import ran: another instance"
                    + " is starting on it; run the import with one replica");
        }
        LOG.infof("Imported deployment %s from %s into %s: %d server records (%d were there from an earlier try),"
                + " %d logins; %s can be removed", theirs.get().id(), source.description(), target.description(),
                copied, present.size(), logins, KEY);
        return new Outcome(copied, logins, true);
    }

    private static InvalidConfigurationException refused(String why) {
        return new InvalidConfigurationException(List.of(KEY + ": " + why));
    }
}
