package io.hpcspawner.credentials.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a {@link SecretRef} into a {@link RefreshableSecret}: literals as they are, files and
 * Vault fields read through a {@link CachedSecret}. Error messages name the reference, never a
 * value.
 */
public final class SecretResolver {

    private final Optional<VaultKv> vault;
    private final Duration ttl;
    private final Clock clock;

    /** @param vault the KV reader, empty when no Vault is configured */
    public SecretResolver(Optional<VaultKv> vault, Duration ttl, Clock clock) {
        this.vault = vault;
        this.ttl = ttl;
        this.clock = clock;
    }

    public RefreshableSecret resolve(SecretRef ref) {
        if (ref instanceof SecretRef.File file) {
            return new CachedSecret(ref, () -> readFile(file), ttl, clock);
        }
        if (ref instanceof SecretRef.Vault field) {
            return new CachedSecret(ref, () -> readVault(field), ttl, clock);
        }
        String literal = ((SecretRef.Literal) ref).value();
        return new RefreshableSecret() {
            @Override
            public String get() {
                return literal;
            }

            @Override
            public void invalidate() {
            }
        };
    }

    private static String readFile(SecretRef.File file) {
        try {
            String text = Files.readString(file.path(), StandardCharsets.UTF_8).strip();
            if (text.isEmpty()) {
                throw new SecretUnavailableException(file + " is empty");
            }
            return text;
        } catch (IOException e) {
            throw new SecretUnavailableException("cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** ", cannot read <file>" when a file was missing (e.g. the Kubernetes service-account token or CA); names only the path. */
    private static String unreadableFile(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException f && f.getFile() != null) {
                return ", cannot read " + f.getFile();
            }
        }
        return "";
    }

    private String readVault(SecretRef.Vault ref) {
        VaultKv kv = vault.orElseThrow(() -> new SecretUnavailableException(ref
                + " needs Vault, but quarkus.vault.url is not set (see docs/secrets.md)"));
        Map<String, String> fields;
        try {
            fields = kv.read(ref.path());
        } catch (RuntimeException e) {
            throw new SecretUnavailableException("Vault did not give " + ref + " (" + e.getClass().getSimpleName()
                    + unreadableFile(e) + "): check quarkus.vault.url, the authentication and the policy of the role");
        }
        String value = fields == null ? null : fields.get(ref.field());
        if (value == null || value.isEmpty()) {
            throw new SecretUnavailableException("the Vault secret " + ref.path() + " has no field '" + ref.field()
                    + "'" + (fields == null || fields.isEmpty() ? "" : "; it has " + String.join(", ", fields.keySet())));
        }
        return value;
    }
}
