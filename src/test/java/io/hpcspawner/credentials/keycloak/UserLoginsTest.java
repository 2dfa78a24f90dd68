package io.hpcspawner.credentials.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcspawner.credentials.UserLogin;
import io.hpcspawner.support.FakeTime;
import io.hpcspawner.support.LogCapture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * How the service keeps users' Keycloak logins: which offered refresh token wins, what survives
 * a restart, what a changed encryption key does. Fake clock, fake token endpoint, in-memory store.
 */
class UserLoginsTest {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final FakeTime clock = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));
    private final RotatingEndpoint endpoint = new RotatingEndpoint();
    private final MemoryStore store = new MemoryStore();
    private final TokenCipher cipher = new TokenCipher(new byte[32]);
    private final TokenCipher oldKey = new TokenCipher(key(7));
    private final TokenCipher newKey = new TokenCipher(key(8));

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        java.util.Arrays.fill(k, (byte) seed);
        return k;
    }

    /** A refresh token as Keycloak issues them: a JWT with session id and issue time. */
    private String refreshToken(String session, Instant issuedAt) {
        String claims = "{\"sid\":\"" + session + "\",\"iat\":" + issuedAt.getEpochSecond() + ",\"exp\":"
                + issuedAt.plusSeconds(1800).getEpochSecond() + ",\"typ\":\"Refresh\"}";
        return B64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }

    private String accessToken(Instant expires) {
        String claims = "{\"exp\":" + expires.getEpochSecond() + ",\"iat\":" + clock.instant().getEpochSecond() + "}";
        return B64.encodeToString("{\"alg\":\"RS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".c2ln";
    }

    /** Refreshes answer "access-N" and a rotated refresh token of the same session, issued now. */
    private final class RotatingEndpoint implements TokenEndpoint {
        final List<String> refreshed = new ArrayList<>();
        final AtomicInteger grants = new AtomicInteger();
        volatile boolean sessionOver;

        @Override
        public TokenResponse clientCredentials() {
            throw new UnsupportedOperationException();
        }

        @Override
        public TokenResponse refresh(String refreshToken) {
            refreshed.add(refreshToken);
            if (sessionOver) {
                throw new LoginExpiredException("Keycloak: Session not active");
            }
            String session = JwtClaims.of(refreshToken).sessionId().orElse("?");
            return new TokenResponse("access-" + grants.incrementAndGet(), Duration.ofMinutes(5),
                    Optional.of(refreshToken(session, clock.instant())), Optional.of(Duration.ofMinutes(30)));
        }

        @Override
        public String clientId() {
            return "jupyterhub";
        }
    }

    private static final class MemoryStore implements SealedTokenStore {
        final Map<String, String> sealed = new ConcurrentHashMap<>();

        @Override
        public Optional<String> read(String identity) {
            return Optional.ofNullable(sealed.get(identity));
        }

        @Override
        public void write(String identity, String value) {
            sealed.put(identity, value);
        }

        @Override
        public void delete(String identity) {
            sealed.remove(identity);
        }

        @Override
        public java.util.Set<String> identities() {
            return java.util.Set.copyOf(sealed.keySet());
        }
    }

    private UserLogins logins(TokenCipher withCipher) {
        return logins(TokenKeyRing.of(withCipher));
    }

    private UserLogins logins(TokenKeyRing keys) {
        return new UserLogins(endpoint, keys, store, new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(30)), clock);
    }

    @Test
    void aFreshAccessTokenFromTheHubIsUsedWithoutRefreshing() {
        UserLogins logins = logins(cipher);
        String hubToken = accessToken(clock.instant().plusSeconds(300));
        logins.remember("alice", new UserLogin(Optional.of(hubToken), refreshToken("s1", clock.instant())));

        assertThat(logins.accessToken("alice")).isEqualTo(hubToken);
        assertThat(endpoint.refreshed).isEmpty();
    }

    @Test
    void anOlderCopyFromTheHubDoesNotRollBackTheRotatedToken() {
        UserLogins logins = logins(cipher);
        String first = refreshToken("s1", clock.instant());
        logins.remember("alice", new UserLogin(Optional.empty(), first));
        clock.advance(Duration.ofSeconds(10));
        assertThat(logins.accessToken("alice")).isEqualTo("access-1"); // refreshed: rotated to a newer token

        // the hub still holds the first token and offers it with the next stop
        logins.remember("alice", new UserLogin(Optional.empty(), first));
        clock.advance(Duration.ofMinutes(5));
        logins.accessToken("alice");

        assertThat(endpoint.refreshed).hasSize(2);
        assertThat(endpoint.refreshed.get(1)).isNotEqualTo(first);
    }

    @Test
    void aNewLoginReplacesTheHeldOne() {
        UserLogins logins = logins(cipher);
        logins.remember("alice", new UserLogin(Optional.empty(), refreshToken("s1", clock.instant())));
        logins.accessToken("alice");
        clock.advance(Duration.ofSeconds(5));
        String newSession = refreshToken("s2", clock.instant().minusSeconds(60)); // another session wins even if older
        logins.remember("alice", new UserLogin(Optional.empty(), newSession));
        clock.advance(Duration.ofMinutes(5));
        logins.accessToken("alice");

        assertThat(endpoint.refreshed.get(endpoint.refreshed.size() - 1)).isEqualTo(newSession);
    }

    @Test
    void theRotatedTokenSurvivesARestartSealed() {
        UserLogins before = logins(cipher);
        before.remember("alice", new UserLogin(Optional.empty(), refreshToken("s1", clock.instant())));
        clock.advance(Duration.ofSeconds(10));
        before.accessToken("alice");
        String rotated = TokenKeyRing.of(cipher).open(store.sealed.get("alice"), "alice").token();
        assertThat(store.sealed.get("alice")).doesNotContain(rotated).doesNotContain("eyJ");

        UserLogins after = logins(cipher); // a restart: nothing in memory
        clock.advance(Duration.ofSeconds(10));
        assertThat(after.knows("alice")).isTrue();
        assertThat(after.accessToken("alice")).isEqualTo("access-2");
        assertThat(endpoint.refreshed.get(1)).isEqualTo(rotated);
        assertThat(TokenKeyRing.of(cipher).open(store.sealed.get("alice"), "alice").token()).isNotEqualTo(rotated); // rotated again, stored again
    }

    @Test
    void aLoginSealedWithAnotherKeyIsDroppedAndTheUserIsAskedToLogInAgain() {
        logins(cipher).remember("alice", new UserLogin(Optional.empty(), refreshToken("s1", clock.instant())));
        byte[] otherKey = new byte[32];
        otherKey[0] = 1;
        UserLogins afterKeyChange = logins(new TokenCipher(otherKey));

        assertThat(afterKeyChange.knows("alice")).isFalse();
        assertThatThrownBy(() -> afterKeyChange.accessToken("alice")).isInstanceOf(LoginExpiredException.class);
        assertThat(store.sealed).doesNotContainKey("alice");
    }

    @Test
    void aSealedLoginCannotBeUsedForAnotherUser() {
        logins(cipher).remember("alice", new UserLogin(Optional.empty(), refreshToken("s1", clock.instant())));
        store.sealed.put("mallory", store.sealed.get("alice")); // copied file

        assertThat(logins(cipher).knows("mallory")).isFalse();
    }

    @Test
    void anEndedSessionSaysLogInAgainAndNoLoginIsAnErrorToo() {
        UserLogins logins = logins(cipher);
        assertThatThrownBy(() -> logins.accessToken("bob")).isInstanceOf(LoginExpiredException.class)
                .hasMessageContaining("log out and log in again");

        logins.remember("bob", new UserLogin(Optional.empty(), refreshToken("s9", clock.instant())));
        endpoint.sessionOver = true;
        assertThatThrownBy(() -> logins.accessToken("bob")).isInstanceOf(LoginExpiredException.class);
        assertThat(logins.knows("bob")).isFalse();
    }

    // --- key rotation (hpcspawner.keycloak.previous-token-encryption-keys) ---

    @Test
    void afterAKeyRotationTheStoredLoginIsStillUsed() {
        String login = refreshToken("s1", clock.instant());
        logins(oldKey).remember("alice", new UserLogin(Optional.empty(), login));

        UserLogins rotated = logins(TokenKeyRing.of(newKey, oldKey)); // restart: new key, the old one moved to "previous"
        clock.advance(Duration.ofSeconds(10));

        assertThat(rotated.knows("alice")).isTrue();
        assertThat(rotated.accessToken("alice")).isEqualTo("access-1");
        assertThat(endpoint.refreshed).containsExactly(login);
    }

    @Test
    void aLoginOpenedWithAnOlderKeyIsSealedAgainWithTheNewestOnRead() {
        logins(oldKey).remember("alice", new UserLogin(Optional.empty(), refreshToken("s1", clock.instant())));
        String before = store.sealed.get("alice");

        assertThat(logins(TokenKeyRing.of(newKey, oldKey)).knows("alice")).isTrue(); // read only: no refresh
        assertThat(endpoint.refreshed).isEmpty();

        assertThat(store.sealed.get("alice")).isNotEqualTo(before).startsWith("v1:" + newKey.keyId() + ":");
        assertThat(TokenKeyRing.of(newKey).open(store.sealed.get("alice"), "alice").token())
                .isEqualTo(TokenKeyRing.of(oldKey).open(before, "alice").token());
    }

    @Test
    void onceResealedTheOldKeyCanBeRemoved() {
        String login = refreshToken("s1", clock.instant());
        logins(oldKey).remember("alice", new UserLogin(Optional.empty(), login));
        logins(TokenKeyRing.of(newKey, oldKey)).knows("alice"); // a restart with both keys reads (and re-seals) it

        UserLogins oldKeyRemoved = logins(TokenKeyRing.of(newKey));
        assertThat(oldKeyRemoved.knows("alice")).isTrue();
        oldKeyRemoved.accessToken("alice");
        assertThat(endpoint.refreshed).containsExactly(login);
    }

    @Test
    void aLoginSealedBeforeKeyIdsExistedStillOpensAndIsResealed() {
        String login = refreshToken("s1", clock.instant());
        store.sealed.put("alice", oldKey.encrypt(login, "alice")); // the format before key ids: base64(nonce|ciphertext|tag)

        assertThat(logins(TokenKeyRing.of(newKey, oldKey)).accessToken("alice")).isEqualTo("access-1");
        assertThat(endpoint.refreshed).containsExactly(login);
        assertThat(store.sealed.get("alice")).startsWith("v1:" + newKey.keyId() + ":");

        store.sealed.put("bob", oldKey.encrypt(login, "bob"));
        assertThat(logins(oldKey).knows("bob")).isTrue(); // the unchanged single key opens it too
        assertThat(store.sealed.get("bob")).startsWith("v1:" + oldKey.keyId() + ":"); // now with its key id
    }

    @Test
    void aLoginNoKeyOpensIsDroppedWithOneWarningNamingItsKeyIdButNoKey() {
        logins(oldKey).remember("alice", new UserLogin(Optional.empty(), refreshToken("s1", clock.instant())));
        List<String> warnings;
        try (LogCapture log = LogCapture.warningsOf(UserLogins.class)) {
            UserLogins oldKeyGone = logins(TokenKeyRing.of(newKey, cipher)); // the key that sealed it is in no slot
            assertThat(oldKeyGone.knows("alice")).isFalse();
            assertThatThrownBy(() -> oldKeyGone.accessToken("alice")).isInstanceOf(LoginExpiredException.class)
                    .hasMessageContaining("log in again");
            warnings = log.warnings();
        }
        assertThat(store.sealed).doesNotContainKey("alice");
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0)).contains("alice").contains(oldKey.keyId())
                .doesNotContain(Base64.getEncoder().encodeToString(key(7))).doesNotContain("BwcHBwcH");
    }

    @Test
    void atStartUpEveryLoginSealedWithAnOlderKeyIsSealedAgainAndNoneIsDropped() {
        UserLogins before = logins(oldKey);
        before.remember("alice", new UserLogin(Optional.empty(), refreshToken("s1", clock.instant())));
        before.remember("bob", new UserLogin(Optional.empty(), refreshToken("s2", clock.instant())));
        store.sealed.put("carol", oldKey.encrypt(refreshToken("s3", clock.instant()), "carol")); // before key ids
        store.sealed.put("dave", TokenKeyRing.of(cipher).seal(refreshToken("s4", clock.instant()), "dave")); // key not listed
        String daveSealed = store.sealed.get("dave");

        UserLogins rotated = logins(TokenKeyRing.of(newKey, oldKey));
        List<String> warnings;
        UserLogins.StoredLogins report;
        try (LogCapture log = LogCapture.warningsOf(UserLogins.class)) {
            report = rotated.resealStored();
            warnings = log.warnings();
        }

        assertThat(report).isEqualTo(new UserLogins.StoredLogins(4, 3, 1));
        for (String user : List.of("alice", "bob", "carol")) {
            assertThat(store.sealed.get(user)).startsWith("v1:" + newKey.keyId() + ":");
        }
        assertThat(store.sealed.get("dave")).isEqualTo(daveSealed); // kept: a forgotten previous key can still be added
        assertThat(warnings).singleElement().asString().contains("1 stored login").contains(cipher.keyId());
        assertThat(endpoint.refreshed).isEmpty();

        assertThat(logins(TokenKeyRing.of(newKey)).knows("carol")).isTrue(); // the old key can go now
        assertThat(rotated.resealStored()).isEqualTo(new UserLogins.StoredLogins(4, 0, 1));
    }
}
