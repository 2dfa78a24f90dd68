package io.hpcspawner.credentials.keycloak;

import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One key of the {@link TokenKeyRing} as a configuration key names it: its text comes from a
 * supplier that re-reads a file or a Vault field now and then (rotation without a restart), and
 * is turned into a {@link TokenCipher} once per new value. A new value that is not a valid key
 * is refused with a warning naming the configuration key (never the value), and the key read
 * before stays in use, so a bad edit of a mounted secret does not lock every login away.
 * Thread-safe.
 */
public final class TokenKeySource implements Supplier<TokenCipher> {

    private static final Logger LOG = Logger.getLogger(TokenKeySource.class);

    private final String name;
    private final Supplier<String> text;
    private String readText;
    private TokenCipher key;
    private String refusedText;

    /** @param name the configuration key, with the position in a list, e.g. {@code ...previous-token-encryption-keys[0]} */
    public TokenKeySource(String name, Supplier<String> text) {
        this.name = name;
        this.text = text;
    }

    /** @throws IllegalArgumentException naming the configuration key when there is no valid key yet */
    @Override
    public synchronized TokenCipher get() {
        String now = text.get();
        if (now.equals(readText) || now.equals(refusedText)) {
            return key; // set whenever either text is
        }
        try {
            TokenCipher parsed = TokenCipher.fromBase64(now);
            if (key != null && !parsed.keyId().equals(key.keyId())) {
                LOG.infof("%s now holds key id %s (was %s)", name, parsed.keyId(), key.keyId());
            }
            key = parsed;
            readText = now;
            refusedText = null;
        } catch (IllegalArgumentException e) {
            if (key == null) {
                throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
            }
            refusedText = now;
            LOG.warnf("%s changed to a value that is not a key (%s): key id %s stays in use", name, e.getMessage(), key.keyId());
        }
        return key;
    }

    @Override
    public String toString() {
        return "TokenKeySource[" + name + "]";
    }
}
