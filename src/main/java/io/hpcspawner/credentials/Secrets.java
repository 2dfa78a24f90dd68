package io.hpcspawner.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Random ids and start secrets, and the hash under which a secret is kept.
 *
 * <p>Each thread draws from a generator of its own (DRBG, seeded from the system's entropy):
 * the platform default on Linux (NativePRNG) serves every instance through one lock, and under a
 * burst of creates the request threads queued on it (a JFR profile: 27 s blocked in all, ~0.3 s a
 * wait, with 200 threads on 2 cores).
 */
public final class Secrets {

    private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(Secrets::newGenerator);
    private static final char[] ID_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();

    private Secrets() {
    }

    /** 12 characters from a 32-letter alphabet (60 bits): a server id, also part of the job name. */
    public static String newServerId() {
        SecureRandom random = RANDOM.get();
        StringBuilder sb = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            sb.append(ID_ALPHABET[random.nextInt(ID_ALPHABET.length)]);
        }
        return sb.toString();
    }

    /** 256 random bits, hex. */
    public static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.get().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static SecureRandom newGenerator() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom(); // every Java 9+ runtime has DRBG; the default is as strong, only shared
        }
    }

    public static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares in constant time. */
    public static boolean matches(String secret, String expectedHash) {
        if (secret == null || expectedHash == null) {
            return false;
        }
        return MessageDigest.isEqual(hash(secret).getBytes(StandardCharsets.US_ASCII),
                expectedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
