package io.hpcspawner.credentials.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcspawner.support.FakeTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret references as sites write them: parsing, files, Vault fields, rotation, errors without values. */
class SecretsFromConfigurationTest {

    private final FakeTime clock = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));

    private final AtomicReference<Map<String, String>> vaultSecret = new AtomicReference<>(Map.of("client-secret", "v1"));
    private final AtomicInteger vaultReads = new AtomicInteger();
    private final VaultKv vault = path -> {
        vaultReads.incrementAndGet();
        if (!path.equals("hpcspawner/keycloak")) {
            throw new IllegalStateException("403 permission denied");
        }
        return vaultSecret.get();
    };
    private final SecretResolver resolver = new SecretResolver(Optional.of(vault), Duration.ofSeconds(60), clock);

    @Test
    void referencesAreReadAndBadOnesSayHowToWriteThem() {
        assertThat(SecretRef.parse("k", "vault:/hpcspawner/keycloak/#client-secret"))
                .isEqualTo(new SecretRef.Vault("hpcspawner/keycloak", "client-secret"));
        assertThat(SecretRef.parse("k", "file:/run/secrets/x")).isEqualTo(new SecretRef.File(Path.of("/run/secrets/x")));
        assertThat(SecretRef.parse("k", "s3cr3t")).isEqualTo(new SecretRef.Literal("s3cr3t"));
        assertThat(SecretRef.parse("k", "s3cr3t").toString()).doesNotContain("s3cr3t");
        assertThatThrownBy(() -> SecretRef.parse("hpcspawner.keycloak.user-client.secret", "vault:hpcspawner/keycloak"))
                .hasMessageContaining("hpcspawner.keycloak.user-client.secret")
                .hasMessageContaining("e.g. vault:hpcspawner/keycloak#client-secret");
        assertThatThrownBy(() -> SecretRef.parse("k", "file:relative/path")).hasMessageContaining("absolute file");
        assertThatThrownBy(() -> SecretRef.parse("k", "")).hasMessageContaining("file:<path> or vault:<path>#<field>");
    }

    @Test
    void aVaultSecretIsCachedAndARotationIsPickedUpAfterTheRefreshInterval() {
        RefreshableSecret secret = resolver.resolve(SecretRef.parse("k", "vault:hpcspawner/keycloak#client-secret"));
        assertThat(secret.get()).isEqualTo("v1");
        vaultSecret.set(Map.of("client-secret", "v2"));
        clock.advance(Duration.ofSeconds(59));
        assertThat(secret.get()).isEqualTo("v1");
        assertThat(vaultReads).hasValue(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(secret.get()).isEqualTo("v2");
    }

    @Test
    void invalidateReadsTheSecretAgainAtOnce() {
        RefreshableSecret secret = resolver.resolve(SecretRef.parse("k", "vault:hpcspawner/keycloak#client-secret"));
        secret.get();
        vaultSecret.set(Map.of("client-secret", "v2"));
        secret.invalidate();
        assertThat(secret.get()).isEqualTo("v2");
    }

    @Test
    void whileVaultIsDownTheLastValueIsKeptAndWithoutOneTheErrorNamesNoSecret() {
        RefreshableSecret secret = resolver.resolve(SecretRef.parse("k", "vault:hpcspawner/keycloak#client-secret"));
        assertThat(secret.get()).isEqualTo("v1");
        VaultKv down = path -> {
            throw new IllegalStateException("connection refused");
        };
        SecretResolver withVaultDown = new SecretResolver(Optional.of(down), Duration.ofSeconds(60), clock);
        assertThatThrownBy(() -> withVaultDown.resolve(SecretRef.parse("k", "vault:hpcspawner/keycloak#client-secret")).get())
                .isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("vault:hpcspawner/keycloak#client-secret").hasMessageNotContaining("v1");

        assertThatThrownBy(() -> resolver.resolve(SecretRef.parse("k", "vault:hpcspawner/keycloak#other")).get())
                .hasMessageContaining("has no field 'other'").hasMessageContaining("client-secret")
                .hasMessageNotContaining("v1");
        assertThatThrownBy(() -> new SecretResolver(Optional.empty(), Duration.ofSeconds(60), clock)
                .resolve(SecretRef.parse("k", "vault:a#b")).get()).hasMessageContaining("quarkus.vault.url is not set");
    }

    @Test
    void aMountedFileIsReadAgainAfterItChanges(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client-secret");
        Files.writeString(file, "from-file-1\n");
        RefreshableSecret secret = resolver.resolve(SecretRef.parse("k", "file:" + file));
        assertThat(secret.get()).isEqualTo("from-file-1");
        Files.writeString(file, "from-file-2\n"); // the kubelet swaps the mounted Secret
        clock.advance(Duration.ofSeconds(60));
        assertThat(secret.get()).isEqualTo("from-file-2");
        assertThatThrownBy(() -> resolver.resolve(SecretRef.parse("k", "file:" + dir.resolve("missing"))).get())
                .hasMessageContaining("cannot read file:");
    }
}
