package io.hpcspawner.store;

import io.hpcspawner.credentials.keycloak.SealedTokenStore;
import io.hpcspawner.spawn.port.ServerStore;

/**
 * Everything one deployment keeps durably, as one kind of store keeps it: server records, users'
 * sealed logins and the deployment's identity. What {@link StoreImport} moves from one kind to the other.
 *
 * @param description for messages, e.g. {@code the file store in /data} or {@code the Kubernetes store in namespace jhub}
 */
public record DeploymentStore(String description, ServerStore records, SealedTokenStore logins, IdentitySlot identity) {
}
