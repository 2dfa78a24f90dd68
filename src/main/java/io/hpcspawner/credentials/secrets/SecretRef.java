package io.hpcspawner.credentials.secrets;

import java.nio.file.Path;

/**
 * Where a secret comes from, as a site writes it in the configuration:
 * {@code vault:<kv path>#<field>} (Vault KV v2, e.g. {@code vault:hpcspawner/keycloak#service-secret}),
 * {@code file:<path>} (e.g. a mounted Kubernetes Secret), or the secret itself. No secret value
 * ever appears in {@link #toString()}.
 */
public sealed interface SecretRef {

    /** A field of a Vault KV secret. */
    record Vault(String path, String field) implements SecretRef {
        @Override
        public String toString() {
            return "vault:" + path + "#" + field;
        }
    }

    /** A file holding the secret (surrounding whitespace is ignored). */
    record File(Path path) implements SecretRef {
        @Override
        public String toString() {
            return "file:" + path;
        }
    }

    /** The secret written in the configuration itself (development, or a value injected from the environment). */
    record Literal(String value) implements SecretRef {
        @Override
        public String toString() {
            return "(a literal secret)";
        }
    }

    /**
     * Reads a reference; {@code key} names the configuration key in error messages.
     *
     * @throws IllegalArgumentException saying what is wrong and how a valid reference looks
     */
    static SecretRef parse(String key, String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(key + " is empty: give the secret, file:<path> or vault:<path>#<field>");
        }
        if (text.startsWith("vault:")) {
            String rest = text.substring("vault:".length());
            int hash = rest.lastIndexOf('#');
            String path = hash < 0 ? "" : rest.substring(0, hash).replaceAll("^/+|/+$", "");
            String field = hash < 0 ? "" : rest.substring(hash + 1);
            if (path.isEmpty() || field.isEmpty() || !path.matches("[A-Za-z0-9_.@/-]+") || !field.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException(key + " must name a Vault KV path and a field, e.g."
                        + " vault:hpcspawner/keycloak#client-secret (path relative to the KV mount, field after #)");
            }
            return new Vault(path, field);
        }
        if (text.startsWith("file:")) {
            String file = text.substring("file:".length());
            if (file.isEmpty() || !file.startsWith("/")) {
                throw new IllegalArgumentException(key + " must name an absolute file, e.g."
                        + " file:/var/run/secrets/hpcspawner/client-secret");
            }
            return new File(Path.of(file));
        }
        return new Literal(text);
    }
}
