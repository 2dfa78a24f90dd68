package io.hpcspawner.credentials.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TokenCipherTest {

    private static final String TOKEN = "eyJhbGciOiJIUzUxMiJ9.eyJ0eXAiOiJSZWZyZXNoIn0.c2lnbmF0dXJl-äöü";

    private static String newKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    private final TokenCipher cipher = TokenCipher.fromBase64(newKey());

    @Test
    void roundTrip() {
        String sealed = cipher.encrypt(TOKEN, "alice");
        assertThat(sealed).doesNotContain("eyJ");
        assertThat(cipher.decrypt(sealed, "alice")).isEqualTo(TOKEN);
    }

    @Test
    void eachEncryptionUsesAFreshNonceAndIsNonceCiphertextTag() {
        String a = cipher.encrypt(TOKEN, "alice");
        String b = cipher.encrypt(TOKEN, "alice");
        assertThat(a).isNotEqualTo(b);
        byte[] raw = Base64.getDecoder().decode(a);
        int plainLength = TOKEN.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        assertThat(raw).hasSize(12 + plainLength + 16);
    }

    @Test
    void everyChangedByteIsDetected() {
        byte[] raw = Base64.getDecoder().decode(cipher.encrypt(TOKEN, "alice"));
        for (int i = 0; i < raw.length; i++) {
            byte[] changed = raw.clone();
            changed[i] ^= 0x01;
            String tampered = Base64.getEncoder().encodeToString(changed);
            assertThatThrownBy(() -> cipher.decrypt(tampered, "alice")).as("byte %d", i)
                    .isInstanceOf(TokenCipher.DecryptionException.class);
        }
    }

    @Test
    void truncatedOrGarbageIsRefused() {
        String sealed = cipher.encrypt(TOKEN, "alice");
        assertThatThrownBy(() -> cipher.decrypt(sealed.substring(0, 20), "alice")).isInstanceOf(TokenCipher.DecryptionException.class);
        assertThatThrownBy(() -> cipher.decrypt("not base64 at all!", "alice")).isInstanceOf(TokenCipher.DecryptionException.class);
    }

    @Test
    void wrongKeyIsDetected() {
        String sealed = cipher.encrypt(TOKEN, "alice");
        TokenCipher other = TokenCipher.fromBase64(newKey());
        assertThatThrownBy(() -> other.decrypt(sealed, "alice")).isInstanceOf(TokenCipher.DecryptionException.class)
                .hasMessageContaining("other key");
    }

    @Test
    void aTokenMovedToAnotherUsersRecordIsDetected() {
        String sealed = cipher.encrypt(TOKEN, "alice");
        assertThatThrownBy(() -> cipher.decrypt(sealed, "bob")).isInstanceOf(TokenCipher.DecryptionException.class);
    }

    @Test
    void keyMustBe32BytesAndIsNeverEchoed() {
        String shortKey = Base64.getEncoder().encodeToString("sixteen byte key".getBytes());
        assertThatThrownBy(() -> TokenCipher.fromBase64(shortKey)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32 bytes").hasMessageContaining("16").hasMessageNotContaining(shortKey);
        assertThatThrownBy(() -> TokenCipher.fromBase64("sëcret-not-base64")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("sëcret");
    }

    @Test
    void keyMayBeUrlSafeBase64WithSurroundingWhitespace() {
        byte[] k = new byte[32];
        k[0] = (byte) 0xfb; // gives '-' or '_' in the URL-safe alphabet
        k[1] = (byte) 0xff;
        String urlSafe = Base64.getUrlEncoder().encodeToString(k);
        TokenCipher a = TokenCipher.fromBase64(urlSafe + "\n");
        TokenCipher b = TokenCipher.fromBase64(" " + Base64.getEncoder().encodeToString(k));
        assertThat(b.decrypt(a.encrypt(TOKEN, "alice"), "alice")).isEqualTo(TOKEN);
        assertThat(a.toString()).doesNotContain(urlSafe);
    }
}
