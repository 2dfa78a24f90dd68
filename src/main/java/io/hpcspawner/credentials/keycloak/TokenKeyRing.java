package io.hpcspawner.credentials.keycloak;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The keys that seal users' refresh tokens at rest, so the key can be rotated without logging
 * everyone out. The newest key ({@code hpcspawner.keycloak.token-encryption-key}) seals every
 * token; the previous keys only open what they sealed before a rotation. A sealed value reads
 * {@code v1:<key id>:<base64(nonce || ciphertext || tag)>}: the key id ({@link TokenCipher#keyId()})
 * picks the key, and the header and the owner's name are both authenticated. Values sealed before
 * key ids existed (bare base64, which never contains {@code ':'}) are tried with every key.
 * Keys are re-read through their suppliers on each use (see {@link TokenKeySource}). Thread-safe.
 */
public final class TokenKeyRing {

    private static final String FORMAT = "v1";

    private final Supplier<TokenCipher> newest;
    private final List<Supplier<TokenCipher>> previous;

    /** Reads every key once, so a missing or malformed key stops start-up rather than a user's start. */
    public TokenKeyRing(Supplier<TokenCipher> newest, List<? extends Supplier<TokenCipher>> previous) {
        this.newest = newest;
        this.previous = List.copyOf(previous);
        newest.get();
        this.previous.forEach(Supplier::get);
    }

    /** A ring of fixed keys, the newest first. */
    public static TokenKeyRing of(TokenCipher newest, TokenCipher... previous) {
        return new TokenKeyRing(() -> newest, Arrays.stream(previous).<Supplier<TokenCipher>>map(c -> () -> c).toList());
    }

    /**
     * A refresh token opened from the store.
     *
     * @param sealedWithOlderKey the value was not sealed by the newest key in the current format: seal it again
     */
    public record Opened(String token, boolean sealedWithOlderKey) {
        @Override
        public String toString() {
            return "Opened[sealedWithOlderKey=" + sealedWithOlderKey + "]";
        }
    }

    /** Seals with the newest key. */
    public String seal(String token, String identity) {
        TokenCipher key = newest.get();
        String header = header(key.keyId());
        return header + key.encrypt(token, header + identity);
    }

    /**
     * Opens a value this ring (or the single key before it) sealed for {@code identity}.
     *
     * @throws TokenCipher.DecryptionException naming the value's key id and the ring's ids (never a key)
     *         when no key of the ring opens it
     */
    public Opened open(String sealed, String identity) {
        List<TokenCipher> keys = keys();
        if (sealed.indexOf(':') < 0) {
            return openWithoutKeyId(sealed, identity, keys);
        }
        String[] parts = sealed.split(":", 3);
        if (parts.length != 3 || !FORMAT.equals(parts[0])) {
            throw new TokenCipher.DecryptionException("the stored token has an unknown format '"
                    + parts[0].replaceAll("[^A-Za-z0-9]", "?") + "' (this version writes " + FORMAT + ")", null);
        }
        String keyId = parts[1];
        for (int i = 0; i < keys.size(); i++) {
            if (keys.get(i).keyId().equals(keyId)) {
                try {
                    return new Opened(keys.get(i).decrypt(parts[2], header(keyId) + identity), i > 0);
                } catch (TokenCipher.DecryptionException e) {
                    throw new TokenCipher.DecryptionException("sealed with key id " + keyId + ", " + e.getMessage(), e);
                }
            }
        }
        throw new TokenCipher.DecryptionException("the stored token was sealed with key id "
                + keyId.replaceAll("[^0-9a-f]", "?") + ", which is not in the key ring (" + describe(keys) + ")", null);
    }

    /** The format before key ids: associated data is the owner's name alone; always stale. */
    private static Opened openWithoutKeyId(String sealed, String identity, List<TokenCipher> keys) {
        for (TokenCipher key : keys) {
            try {
                return new Opened(key.decrypt(sealed, identity), true);
            } catch (TokenCipher.DecryptionException wrongKey) {
                // try the next one
            }
        }
        throw new TokenCipher.DecryptionException("the stored token has no key id (sealed before key rotation"
                + " existed) and no key in the ring opens it (" + describe(keys) + ")", null);
    }

    private List<TokenCipher> keys() {
        List<TokenCipher> keys = new ArrayList<>(1 + previous.size());
        keys.add(newest.get());
        previous.forEach(p -> keys.add(p.get()));
        return keys;
    }

    private static String header(String keyId) {
        return FORMAT + ":" + keyId + ":";
    }

    private static String describe(List<TokenCipher> keys) {
        return "newest key id " + keys.get(0).keyId() + (keys.size() == 1 ? ", no previous keys"
                : ", previous key ids " + keys.subList(1, keys.size()).stream().map(TokenCipher::keyId)
                        .collect(Collectors.joining(", ")));
    }

    /** The key ids, newest first. */
    @Override
    public String toString() {
        return "TokenKeyRing[" + describe(keys()) + "]";
    }
}
