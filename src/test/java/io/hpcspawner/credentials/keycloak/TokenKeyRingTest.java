package io.hpcspawner.credentials.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The key ring that seals users' refresh tokens: what a sealed value carries, which key opens
 * what, and what an operator sees when no key fits (a key id, never a key).
 */
class TokenKeyRingTest {

    private static final String TOKEN = "eyJhbGciOiJIUzUxMiJ9.eyJ0eXAiOiJSZWZyZXNoIn0.c2lnbmF0dXJl";

    private static byte[] raw(int seed) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) seed);
        return k;
    }

    private static String b64(int seed) {
        return Base64.getEncoder().encodeToString(raw(seed));
    }

    private final TokenCipher a = new TokenCipher(raw(1));
    private final TokenCipher b = new TokenCipher(raw(2));
    private final TokenCipher c = new TokenCipher(raw(3));

    @Test
    void aSealedTokenCarriesTheFormatAndTheIdOfTheNewestKey() {
        String sealed = TokenKeyRing.of(b, a).seal(TOKEN, "alice");

        assertThat(sealed).startsWith("v1:" + b.keyId() + ":").doesNotContain("eyJ");
        assertThat(b.keyId()).matches("[0-9a-f]{8}").isNotEqualTo(a.keyId())
                .isEqualTo(new TokenCipher(raw(2)).keyId()); // stable: the same key always has the same id
        assertThat(b.keyId()).isNotIn(HexFormat.of().formatHex(raw(2)).substring(0, 8), b64(2).substring(0, 8));
    }

    @Test
    void theNewestKeyOpensWhatItSealedAndAnOlderKeyAsksForResealing() {
        TokenKeyRing ring = TokenKeyRing.of(b, a);
        assertThat(ring.open(ring.seal(TOKEN, "alice"), "alice")).isEqualTo(new TokenKeyRing.Opened(TOKEN, false));

        String sealedByOldRing = TokenKeyRing.of(a).seal(TOKEN, "alice");
        assertThat(ring.open(sealedByOldRing, "alice")).isEqualTo(new TokenKeyRing.Opened(TOKEN, true));
    }

    @Test
    void aValueSealedBeforeKeyIdsOpensWithWhicheverKeyMadeItAndIsStale() {
        String legacy = a.encrypt(TOKEN, "alice");

        assertThat(TokenKeyRing.of(b, c, a).open(legacy, "alice")).isEqualTo(new TokenKeyRing.Opened(TOKEN, true));
        assertThat(TokenKeyRing.of(a).open(legacy, "alice")).isEqualTo(new TokenKeyRing.Opened(TOKEN, true));
        assertThatThrownBy(() -> TokenKeyRing.of(b, c).open(legacy, "alice"))
                .isInstanceOf(TokenCipher.DecryptionException.class).hasMessageContaining("no key id")
                .hasMessageContaining(b.keyId()).hasMessageContaining(c.keyId());
    }

    @Test
    void aValueFromAKeyNoLongerInTheRingNamesThatKeysId() {
        String sealed = TokenKeyRing.of(a).seal(TOKEN, "alice");

        assertThatThrownBy(() -> TokenKeyRing.of(b, c).open(sealed, "alice"))
                .isInstanceOf(TokenCipher.DecryptionException.class)
                .hasMessageContaining("key id " + a.keyId()).hasMessageContaining(b.keyId())
                .hasMessageNotContaining(b64(1)).hasMessageNotContaining(b64(2));
    }

    @Test
    void theHeaderIsAuthenticatedAndTheOwnerToo() {
        TokenKeyRing ring = TokenKeyRing.of(b, a);
        String sealed = TokenKeyRing.of(a).seal(TOKEN, "alice");
        String relabelled = sealed.replace("v1:" + a.keyId() + ":", "v1:" + b.keyId() + ":");

        assertThatThrownBy(() -> ring.open(relabelled, "alice")).isInstanceOf(TokenCipher.DecryptionException.class);
        assertThatThrownBy(() -> ring.open(sealed, "bob")).isInstanceOf(TokenCipher.DecryptionException.class)
                .hasMessageContaining("key id " + a.keyId());
        String downgraded = sealed.substring(("v1:" + a.keyId() + ":").length()); // passed off as the format without key ids
        assertThatThrownBy(() -> ring.open(downgraded, "alice")).isInstanceOf(TokenCipher.DecryptionException.class);
        assertThatThrownBy(() -> ring.open("v9:" + a.keyId() + ":" + sealed.substring(12), "alice"))
                .isInstanceOf(TokenCipher.DecryptionException.class).hasMessageContaining("v9");
    }

    @Test
    void keysAreReReadAndANewNewestKeyIsUsedWithoutARestart() {
        AtomicReference<String> current = new AtomicReference<>(b64(1));
        AtomicReference<String> previous = new AtomicReference<>(b64(1));
        TokenKeyRing ring = new TokenKeyRing(new TokenKeySource("hpcspawner.keycloak.token-encryption-key", current::get),
                List.of(new TokenKeySource("hpcspawner.keycloak.previous-token-encryption-keys[0]", previous::get)));
        String before = ring.seal(TOKEN, "alice");

        current.set(b64(2)); // the mounted file or the Vault field changed
        String after = ring.seal(TOKEN, "alice");

        assertThat(after).startsWith("v1:" + b.keyId() + ":");
        assertThat(ring.open(before, "alice")).isEqualTo(new TokenKeyRing.Opened(TOKEN, true));
        assertThat(ring.open(after, "alice")).isEqualTo(new TokenKeyRing.Opened(TOKEN, false));
    }

    @Test
    void aMalformedKeyNamesItsPositionAtStartAndLaterKeepsTheLastGoodKey() {
        AtomicReference<String> previous = new AtomicReference<>("c2hvcnQ=");
        TokenKeySource second = new TokenKeySource("hpcspawner.keycloak.previous-token-encryption-keys[1]", previous::get);
        assertThatThrownBy(second::get).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("hpcspawner.keycloak.previous-token-encryption-keys[1]: ")
                .hasMessageContaining("32 bytes").hasMessageNotContaining("c2hvcnQ=");
        assertThatThrownBy(() -> new TokenKeyRing(() -> b, List.<Supplier<TokenCipher>>of(() -> a, second)))
                .hasMessageContaining("previous-token-encryption-keys[1]");

        previous.set(b64(1));
        assertThat(second.get().keyId()).isEqualTo(a.keyId());
        previous.set("not a key!");
        assertThat(second.get().keyId()).isEqualTo(a.keyId()); // a bad rotation does not lose the working key
    }
}
