package io.hpcspawner.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcspawner.spawn.model.DeploymentIdentity;
import io.hpcspawner.config.InvalidConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A deployment's identity is made once, kept with its store, and never silently swapped. */
class DeploymentIdentityFileTest {

    static final Instant NOW = Instant.parse("2026-12-02T08:00:00Z");

    @TempDir
    Path store;

    @Test
    void aNewStoreGetsANewIdThatLaterStartsKeep() {
        DeploymentIdentity first = DeploymentIdentityFile.loadOrCreate(store, Optional.empty(), Optional.empty(), NOW);
        DeploymentIdentity again = DeploymentIdentityFile.loadOrCreate(store, Optional.empty(), Optional.empty(),
                NOW.plusSeconds(3600));

        assertThat(first.id()).matches("[a-z0-9]{6}");
        assertThat(again).isEqualTo(first);
        assertThat(first.createdAt()).isEqualTo(NOW);
    }

    @Test
    void twoStoresAreTwoDeployments() {
        DeploymentIdentity a = DeploymentIdentityFile.loadOrCreate(store.resolve("a"), Optional.empty(), Optional.empty(), NOW);
        DeploymentIdentity b = DeploymentIdentityFile.loadOrCreate(store.resolve("b"), Optional.empty(), Optional.empty(), NOW);
        assertThat(a.id()).isNotEqualTo(b.id());
    }

    @Test
    void aStoreWrittenBeforeIdentitiesIsAsOldAsItsOldestRecord() {
        Instant oldest = NOW.minusSeconds(86_400);
        assertThat(DeploymentIdentityFile.loadOrCreate(store, Optional.empty(), Optional.of(oldest), NOW).createdAt())
                .isEqualTo(oldest);
    }

    @Test
    void aConfiguredIdNamesANewStoreAndMustMatchAnExistingOne() {
        assertThat(DeploymentIdentityFile.loadOrCreate(store, Optional.of("prod01"), Optional.empty(), NOW).id())
                .isEqualTo("prod01");
        assertThatThrownBy(() -> DeploymentIdentityFile.loadOrCreate(store, Optional.of("stag01"), Optional.empty(), NOW))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("belongs to deployment prod01").hasMessageContaining("hpcspawner.store.directory");
    }

    @Test
    void aDamagedIdentityStopsTheStartInsteadOfMakingANewOne() throws IOException {
        Files.writeString(store.resolve(DeploymentIdentityFile.NAME), "{\"id\": \"BAD\", \"createdAt\": \"x\"}");
        assertThatThrownBy(() -> DeploymentIdentityFile.loadOrCreate(store, Optional.empty(), Optional.empty(), NOW))
                .hasMessageContaining("is damaged").hasMessageContaining("restore it from a backup");
    }

    @Test
    void theIdentityIsNotReadAsAServerRecord() {
        DeploymentIdentityFile.loadOrCreate(store, Optional.empty(), Optional.empty(), NOW);
        FileServerStore records = new FileServerStore(store);
        assertThat(records.all()).isEmpty();
        assertThat(records.setAside()).isZero();
    }
}
