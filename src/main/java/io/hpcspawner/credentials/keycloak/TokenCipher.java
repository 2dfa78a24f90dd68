package io.hpcspawner.credentials.keycloak;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One key that encrypts refresh tokens for storage at rest with AES-256-GCM: a random 96-bit
 * nonce per encryption, output {@code base64(nonce || ciphertext || tag)}. The associated data
 * (the ring passes its header and the user name) is authenticated too, so a token copied into
 * another user's record, a changed byte or a wrong key all fail to decrypt. Which key sealed a
 * value, and rotation, are the {@link TokenKeyRing}'s business. Thread-safe.
 */
public final class TokenCipher {

    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int KEY_ID_BYTES = 4;
    private static final byte[] KEY_ID_LABEL = "hpcspawner token-encryption-key id".getBytes(StandardCharsets.US_ASCII);

    private final SecretKeySpec key;
    private final String keyId;
    private final SecureRandom random = new SecureRandom();

    /** The stored value cannot be decrypted: wrong key, other associated data, or changed. */
    public static final class DecryptionException extends RuntimeException {
        DecryptionException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public TokenCipher(byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("the token encryption key must be 32 bytes (AES-256), not " + key.length
                    + "; make one with: openssl rand -base64 32");
        }
        this.key = new SecretKeySpec(key, "AES");
        this.keyId = keyIdOf(key);
    }

    /**
     * A short name of this key (8 hex digits) that sealed values carry and logs may show: the
     * start of HMAC-SHA256(key, a fixed label), so it reveals nothing about the key and the same
     * key always gets the same id.
     */
    public String keyId() {
        return keyId;
    }

    private static String keyIdOf(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] digest = mac.doFinal(KEY_ID_LABEL);
            return HexFormat.of().formatHex(digest, 0, KEY_ID_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable: " + e.getMessage(), e);
        }
    }

    /** From a config value holding 32 bytes in base64; the value never appears in errors. */
    public static TokenCipher fromBase64(String base64Key) {
        String value = base64Key.strip();
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException notStandard) {
            try {
                raw = Base64.getUrlDecoder().decode(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("the token encryption key is not valid base64; make one with: openssl rand -base64 32");
            }
        }
        try {
            return new TokenCipher(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    public String encrypt(String plaintext, String associatedData) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is unavailable: " + e.getMessage(), e);
        }
    }

    /** @throws DecryptionException if the value was not made by this key with this associated data */
    public String decrypt(String encrypted, String associatedData) {
        byte[] all;
        try {
            all = Base64.getDecoder().decode(encrypted);
        } catch (IllegalArgumentException e) {
            throw new DecryptionException("the stored token is not base64", null);
        }
        if (all.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new DecryptionException("the stored token is too short to be encrypted", null);
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, all, 0, NONCE_BYTES));
            c.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new DecryptionException("the stored token does not decrypt: other key, other owner, or altered", e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is unavailable: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "TokenCipher[AES-256-GCM, key id " + keyId + "]";
    }
}
