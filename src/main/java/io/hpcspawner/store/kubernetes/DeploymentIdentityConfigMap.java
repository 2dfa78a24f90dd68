package io.hpcspawner.store.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.store.IdentitySlot;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link DeploymentIdentity} of the Kubernetes store: the ConfigMap
 * {@code hpcspawner-deployment-identity} in the store's namespace (keys {@code id} and
 * {@code createdAt}). Created once; a second creation (another replica first) fails rather than
 * replacing it, so every replica ends with the same id.
 */
public final class DeploymentIdentityConfigMap implements IdentitySlot {

    public static final String NAME = "hpcspawner-deployment-identity";

    private final KubernetesClient client;
    private final String namespace;

    public DeploymentIdentityConfigMap(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Optional<DeploymentIdentity> read() {
        ConfigMap map;
        try {
            map = client.configMaps().inNamespace(namespace).withName(NAME).get();
        } catch (KubernetesClientException e) {
            throw new IllegalStateException("cannot read the ConfigMap " + NAME + " in namespace " + namespace + ": "
                    + e.getMessage(), e);
        }
        if (map == null) {
            return Optional.empty();
        }
        Map<String, String> data = map.getData() == null ? Map.of() : map.getData();
        try {
            return Optional.of(new DeploymentIdentity(String.valueOf(data.get("id")), Instant.parse(String.valueOf(data.get("createdAt")))));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalStateException("the deployment identity (ConfigMap " + NAME + " in namespace " + namespace
                    + ") is damaged (" + e.getMessage() + "); restore it from a backup: without it this deployment"
                    + " cannot recognise its jobs", e);
        }
    }

    /** Creates the ConfigMap; false when one is there already (another replica was first). */
    @Override
    public boolean create(DeploymentIdentity identity) {
        ConfigMap map = new ConfigMapBuilder().withNewMetadata().withName(NAME).withNamespace(namespace)
                .addToLabels(ObjectNames.MANAGED_BY, ObjectNames.MANAGER).endMetadata()
                .addToData("id", identity.id()).addToData("createdAt", identity.createdAt().toString()).build();
        try {
            client.configMaps().inNamespace(namespace).resource(map).create();
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false;
            }
            throw new IllegalStateException("cannot create the ConfigMap " + NAME + " in namespace " + namespace + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String where() {
        return "ConfigMap " + NAME + " in namespace " + namespace;
    }
}
