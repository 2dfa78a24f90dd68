package io.hpcspawner.store.kubernetes;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names and label values for objects whose identity a user chose (user and server names): object
 * names are a hash (valid DNS-1123 whatever the user typed, and no two keys share one); label
 * values a readable, label-safe form that may collide (labels only select; the real value is in
 * the object and decides).
 */
final class ObjectNames {

    /** The labels every object of the store carries, so one selector finds them all. */
    static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    static final String MANAGER = "hpcspawner";

    private ObjectNames() {
    }

    /** {@code prefix} and 40 hex digits (160 bits) of SHA-256 over {@code parts}, each one ended by a newline. */
    static String hashed(String prefix, String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String p : parts) {
                sha.update(p.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n'); // no name holds a newline: ("a", "b\nc") and ("a\nb", "c") never meet
            }
            return prefix + HexFormat.of().formatHex(sha.digest()).substring(0, 40);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /**
     * A label value: letters, digits, '.', '_' and '-', at most 63, starting and ending with a
     * letter or digit ({@code alice@example.org} becomes {@code alice_example.org}); empty for a
     * value with nothing label-safe in it.
     */
    static String labelValue(String value) {
        String safe = value.replaceAll("[^A-Za-z0-9._-]", "_");
        if (safe.length() > 63) {
            safe = safe.substring(0, 63);
        }
        return safe.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }
}
