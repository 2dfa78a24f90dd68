package io.hpcspawner.store.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Secret;
import io.hpcspawner.config.InvalidConfigurationException;
import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.store.IdentitySlot;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Sealed logins as Secrets and the deployment identity as a ConfigMap, on a mock API server. */
class KubernetesSealedTokenStoreTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private final MockApiServer api = new MockApiServer();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void eachIdentitysLoginIsOneSecretThatSurvivesANewInstance() {
        KubernetesSealedTokenStore logins = new KubernetesSealedTokenStore(api.client(), MockApiServer.NAMESPACE);
        logins.write("alice@example.org", "v2.sealed-alice");
        logins.write("Alice@example.org", "v2.sealed-Alice");
        logins.write("alice@example.org", "v2.sealed-alice-newer");

        KubernetesSealedTokenStore again = new KubernetesSealedTokenStore(api.client(), MockApiServer.NAMESPACE);
        assertThat(again.read("alice@example.org")).contains("v2.sealed-alice-newer");
        assertThat(again.read("Alice@example.org")).contains("v2.sealed-Alice");
        assertThat(again.read("bob")).isEmpty();
        assertThat(again.identities()).containsExactly("Alice@example.org", "alice@example.org");

        again.delete("Alice@example.org");
        assertThat(logins.identities()).containsExactly("alice@example.org");
        assertThat(logins.read("Alice@example.org")).isEmpty();
    }

    @Test
    void theSecretIsNamedByAHashAndHoldsTheCiphertextOnly() {
        new KubernetesSealedTokenStore(api.client(), MockApiServer.NAMESPACE).write("a.b+c@d", "v2.ciphertext");
        Secret secret = api.client().secrets().inNamespace(MockApiServer.NAMESPACE).withLabel("hpcspawner.io/part", "sealed-login")
                .list().getItems().get(0);
        assertThat(secret.getMetadata().getName()).matches("hpcspawner-login-[0-9a-f]{40}");
        assertThat(secret.getMetadata().getAnnotations()).containsEntry("hpcspawner.io/identity", "a.b+c@d");
        assertThat(secret.getData()).containsOnlyKeys("sealed");
    }

    @Test
    void theIdentityIsCreatedOnceAndEveryReplicaReadsTheSame() {
        DeploymentIdentityConfigMap one = new DeploymentIdentityConfigMap(api.client(), MockApiServer.NAMESPACE);
        DeploymentIdentityConfigMap two = new DeploymentIdentityConfigMap(api.client(), MockApiServer.NAMESPACE);
        DeploymentIdentity first = IdentitySlot.loadOrCreate(one, Optional.empty(), Optional.empty(), NOW, "x");
        assertThat(two.create(new DeploymentIdentity("zzzzzz", NOW))).as("a second creation writes nothing").isFalse();
        assertThat(IdentitySlot.loadOrCreate(two, Optional.empty(), Optional.empty(), NOW.plusSeconds(60), "x"))
                .isEqualTo(first);
        assertThat(api.client().configMaps().inNamespace(MockApiServer.NAMESPACE).withName(DeploymentIdentityConfigMap.NAME)
                .get().getData()).containsEntry("id", first.id()).containsEntry("createdAt", NOW.toString());
    }

    @Test
    void aConfiguredIdMustMatchTheNamespacesIdentity() {
        DeploymentIdentityConfigMap slot = new DeploymentIdentityConfigMap(api.client(), MockApiServer.NAMESPACE);
        IdentitySlot.loadOrCreate(slot, Optional.of("prod01"), Optional.empty(), NOW, "hpcspawner.store.namespace");
        assertThatThrownBy(() -> IdentitySlot.loadOrCreate(slot, Optional.of("stag01"), Optional.empty(), NOW,
                "hpcspawner.store.namespace")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("belongs to deployment prod01").hasMessageContaining("hpcspawner.store.namespace")
                .hasMessageContaining("ConfigMap hpcspawner-deployment-identity in namespace jhub");
    }
}
