package io.hpcspawner.store.kubernetes;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.hpcspawner.credentials.keycloak.SealedTokenStore;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Users' encrypted refresh tokens as one Kubernetes Secret per identity, so the cluster treats
 * them as secrets (RBAC on Secrets, etcd encryption of Secrets). The Secret is named by a hash of
 * the identity and carries the identity in an annotation; its one key {@code sealed} holds the
 * ciphertext only (the key is elsewhere). The last write wins: a login is replaced whole by the
 * newer one.
 */
public final class KubernetesSealedTokenStore implements SealedTokenStore {

    static final String IDENTITY_ANNOTATION = "hpcspawner.io/identity";
    static final String PART_LABEL = "hpcspawner.io/part";
    static final String PART = "sealed-login";
    static final String KEY = "sealed";

    private final KubernetesClient client;
    private final String namespace;

    public KubernetesSealedTokenStore(KubernetesClient client, String namespace) {
        this.client = client;
        this.namespace = namespace;
    }

    @Override
    public Optional<String> read(String identity) {
        try {
            Secret secret = client.secrets().inNamespace(namespace).withName(nameOf(identity)).get();
            if (secret == null || secret.getData() == null || !secret.getData().containsKey(KEY)
                    || !identity.equals(identityOf(secret))) {
                return Optional.empty();
            }
            return Optional.of(new String(Base64.getDecoder().decode(secret.getData().get(KEY)), StandardCharsets.US_ASCII));
        } catch (KubernetesClientException e) {
            throw failure("read the stored login of " + identity, e);
        }
    }

    @Override
    public void write(String identity, String sealed) {
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(nameOf(identity)).withNamespace(namespace)
                .addToLabels(ObjectNames.MANAGED_BY, ObjectNames.MANAGER).addToLabels(PART_LABEL, PART)
                .addToAnnotations(IDENTITY_ANNOTATION, identity).endMetadata()
                .withType("Opaque")
                .addToData(KEY, Base64.getEncoder().encodeToString(sealed.getBytes(StandardCharsets.US_ASCII)))
                .build();
        try {
            client.secrets().inNamespace(namespace).resource(secret).createOr(NonDeletingOperation::update);
        } catch (KubernetesClientException e) {
            throw failure("store the login of " + identity, e);
        }
    }

    @Override
    public void delete(String identity) {
        try {
            client.secrets().inNamespace(namespace).withName(nameOf(identity)).delete();
        } catch (KubernetesClientException e) {
            throw failure("delete the stored login of " + identity, e);
        }
    }

    @Override
    public Set<String> identities() {
        Set<String> identities = new TreeSet<>();
        try {
            for (Secret s : client.secrets().inNamespace(namespace).withLabel(PART_LABEL, PART).list().getItems()) {
                String identity = identityOf(s);
                if (identity != null && s.getMetadata().getName().equals(nameOf(identity))) {
                    identities.add(identity);
                }
            }
        } catch (KubernetesClientException e) {
            throw failure("list the stored logins", e);
        }
        return identities;
    }

    /** The Secret's name: valid whatever the identity, and one per identity. */
    static String nameOf(String identity) {
        return ObjectNames.hashed("hpcspawner-login-", identity);
    }

    private static String identityOf(Secret secret) {
        return secret.getMetadata().getAnnotations() == null ? null
                : secret.getMetadata().getAnnotations().get(IDENTITY_ANNOTATION);
    }

    private IllegalStateException failure(String what, KubernetesClientException e) {
        return new IllegalStateException("cannot " + what + " (Secrets in namespace " + namespace + "): "
                + (e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage()), e);
    }
}
