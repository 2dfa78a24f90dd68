package io.hpcspawner.credentials.secrets;

import java.util.Map;

/** Reads one secret (all its fields) from Vault's KV engine; implemented over quarkus-vault in config. */
@FunctionalInterface
public interface VaultKv {

    /**
     * The fields of the secret at {@code path} (relative to the KV mount).
     *
     * @throws RuntimeException when Vault cannot be reached or refuses; the message must not quote secret values
     */
    Map<String, String> read(String path);
}
