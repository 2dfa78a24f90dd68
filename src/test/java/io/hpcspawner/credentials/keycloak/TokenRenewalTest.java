package io.hpcspawner.credentials.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcspawner.support.FakeTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** When tokens are renewed, with a fake clock and a fake token endpoint (no Keycloak). */
class TokenRenewalTest {

    private final FakeTime clock = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));

    /** Hands out "access-N" living {@code lifetime}; refreshes answer "refresh-N" (rotation). */
    private static final class FakeEndpoint implements TokenEndpoint {
        final AtomicInteger grants = new AtomicInteger();
        final List<String> refreshTokensSeen = Collections.synchronizedList(new ArrayList<>());
        volatile Duration lifetime = Duration.ofSeconds(300);
        volatile boolean rotate = true;
        volatile RuntimeException failure;
        volatile CountDownLatch gate;
        volatile Runnable onGrant = () -> { };

        @Override
        public TokenResponse clientCredentials() {
            return answer(Optional.empty());
        }

        @Override
        public TokenResponse refresh(String refreshToken) {
            refreshTokensSeen.add(refreshToken);
            return answer(Optional.of(refreshToken));
        }

        private TokenResponse answer(Optional<String> refreshToken) {
            awaitGate();
            if (failure != null) {
                throw failure;
            }
            int n = grants.incrementAndGet();
            onGrant.run();
            Optional<String> next = refreshToken.map(old -> rotate ? "refresh-" + n : old);
            return new TokenResponse("access-" + n, lifetime, next, next.map(x -> Duration.ofSeconds(1800)));
        }

        private void awaitGate() {
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public String clientId() {
            return "fake-client";
        }
    }

    private final FakeEndpoint endpoint = new FakeEndpoint();

    @Test
    void serviceTokenIsReusedUntilTheMarginIsReached() {
        ServiceAccountTokens tokens = new ServiceAccountTokens(endpoint, new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(30)), clock);
        assertThat(tokens.accessToken()).isEqualTo("access-1");
        clock.advance(Duration.ofSeconds(239)); // 61 s left
        assertThat(tokens.accessToken()).isEqualTo("access-1");
        clock.advance(Duration.ofSeconds(1)); // 60 s left: renew
        assertThat(tokens.accessToken()).isEqualTo("access-2");
        assertThat(endpoint.grants).hasValue(2);
    }

    /** The instant each token handed out expires: "access-N" lives from its grant at {@code grantedAt[N]}. */
    private final List<Instant> grantedAt = Collections.synchronizedList(new ArrayList<>());

    private Duration leftOf(String token) {
        int n = Integer.parseInt(token.substring("access-".length()));
        return Duration.between(clock.instant(), grantedAt.get(n - 1).plus(endpoint.lifetime));
    }

    @ParameterizedTest
    @ValueSource(ints = {41, 45, 60, 90, 300})
    void everyServiceTokenHandedOutHasMoreThanTheMinimumPlusTheMarginLeftWhateverItsLifetime(int lifetimeSeconds) {
        endpoint.lifetime = Duration.ofSeconds(lifetimeSeconds);
        endpoint.onGrant = () -> grantedAt.add(clock.instant());
        TokenValidity validity = new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(10));
        ServiceAccountTokens tokens = new ServiceAccountTokens(endpoint, validity, clock);
        for (int second = 0; second < 2 * lifetimeSeconds; second++) {
            String token = tokens.accessToken();
            assertThat(leftOf(token)).as("left on %s at second %d", token, second).isGreaterThan(validity.required());
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(endpoint.grants.get()).as("renewed once per usable stretch, not on every call")
                .isLessThanOrEqualTo(2 * lifetimeSeconds / (lifetimeSeconds - 40) + 1);
    }

    @Test
    void aFortyFiveSecondServiceTokenIsRenewedBeforeItHasLessThanThirtySecondsPlusTheMarginLeft() {
        endpoint.lifetime = Duration.ofSeconds(45);
        ServiceAccountTokens tokens = new ServiceAccountTokens(endpoint,
                new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(10)), clock);
        assertThat(tokens.accessToken()).isEqualTo("access-1");
        clock.advance(Duration.ofSeconds(4)); // 41 s left
        assertThat(tokens.accessToken()).isEqualTo("access-1");
        clock.advance(Duration.ofSeconds(1)); // 40 s left: no longer more than 30 + 10
        assertThat(tokens.accessToken()).isEqualTo("access-2");
    }

    @Test
    void aUserTokenWithTwentySixSecondsLeftIsNeverSent() {
        endpoint.lifetime = Duration.ofSeconds(40); // renewed at 20 s left before the fix
        UserTokens tokens = new UserTokens(endpoint, "alice", "refresh-0", (u, t) -> { },
                new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(5)), clock);
        assertThat(tokens.accessToken()).isEqualTo("access-1");
        clock.advance(Duration.ofSeconds(14)); // access-1 has 26 s left
        assertThat(tokens.accessToken()).isEqualTo("access-2");
    }

    @Test
    void aRealmWhoseTokensLiveShorterThanTheMinimumPlusTheMarginIsAConfigurationErrorOnEveryUse() {
        endpoint.lifetime = Duration.ofSeconds(40);
        ServiceAccountTokens tokens = new ServiceAccountTokens(endpoint, TokenValidity.DEFAULT, clock);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(tokens::accessToken).isInstanceOf(KeycloakConfigurationException.class)
                    .hasMessageContaining("access tokens of Keycloak client fake-client live 40 s")
                    .hasMessageContaining("more than 45 s left")
                    .hasMessageContaining("raise the Access Token Lifespan")
                    .satisfies(e -> assertThat(((KeycloakException) e).isTransient()).isFalse());
        }
    }

    @Test
    void aSeededHubTokenIsUsedOnlyWhileItHasMoreThanTheRequiredLifeLeft() {
        UserTokens tokens = new UserTokens(endpoint, "alice", "refresh-0", (u, t) -> { }, TokenValidity.DEFAULT, clock);
        tokens.seed(jwtExpiringAt(clock.instant().plusSeconds(46)));
        assertThat(tokens.accessToken()).as("46 s left: the hub's token is used").doesNotStartWith("access-");
        clock.advance(Duration.ofSeconds(1)); // 45 s left
        assertThat(tokens.accessToken()).isEqualTo("access-1");
    }

    private static String jwtExpiringAt(Instant exp) {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\"}".getBytes()) + "."
                + b64.encodeToString(("{\"exp\":" + exp.getEpochSecond() + "}").getBytes()) + ".sig";
    }

    @Test
    void aRefusedTokenIsRenewedOnceEvenWhenManyCallersReportTheRefusal() {
        ServiceAccountTokens tokens = new ServiceAccountTokens(endpoint, TokenValidity.DEFAULT, clock);
        String refused = tokens.accessToken();
        assertThat(tokens.renewedAfterRefusal(refused)).isEqualTo("access-2");
        assertThat(tokens.renewedAfterRefusal(refused)).as("already renewed by another caller").isEqualTo("access-2");
        assertThat(tokens.accessToken()).isEqualTo("access-2");
        assertThat(endpoint.grants).hasValue(2);
    }

    @Test
    void concurrentCallersShareOneRenewal() throws Exception {
        ServiceAccountTokens service = new ServiceAccountTokens(endpoint, new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(30)), clock);
        UserTokens user = new UserTokens(endpoint, "alice", "refresh-0", (u, t) -> { }, new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(30)), clock);
        for (Runnable reset : List.<Runnable>of(() -> { }, () -> clock.advance(Duration.ofSeconds(250)))) {
            reset.run();
            endpoint.grants.set(0);
            endpoint.gate = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<String>> got = new ArrayList<>();
                for (int i = 0; i < 16; i++) {
                    got.add(pool.submit(i % 2 == 0 ? service::accessToken : user::accessToken));
                }
                Thread.sleep(200); // all callers are waiting for the first grant
                endpoint.gate.countDown();
                for (Future<String> f : got) {
                    assertThat(f.get(5, TimeUnit.SECONDS)).startsWith("access-");
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(endpoint.grants).as("one grant for the service, one for the user").hasValue(2);
        }
        assertThat(endpoint.refreshTokensSeen).as("each refresh token is used once").doesNotHaveDuplicates();
    }

    @Test
    void userTokensRotateAndEachNewRefreshTokenIsStored() {
        List<String> stored = new ArrayList<>();
        UserTokens tokens = new UserTokens(endpoint, "alice", "refresh-0", (u, t) -> stored.add(u + "=" + t),
                new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(30)), clock);
        assertThat(tokens.loginExpiresAt()).isEmpty();
        assertThat(tokens.accessToken()).isEqualTo("access-1");
        assertThat(tokens.loginExpiresAt()).contains(clock.instant().plusSeconds(1800));
        clock.advance(Duration.ofSeconds(200));
        assertThat(tokens.accessToken()).isEqualTo("access-1");
        clock.advance(Duration.ofSeconds(40)); // 60 s left
        assertThat(tokens.accessToken()).isEqualTo("access-2");
        assertThat(endpoint.refreshTokensSeen).containsExactly("refresh-0", "refresh-1");
        assertThat(stored).containsExactly("alice=refresh-1", "alice=refresh-2");
    }

    @Test
    void anUnrotatedRefreshTokenIsNotStoredAgain() {
        endpoint.rotate = false;
        List<String> stored = new ArrayList<>();
        UserTokens tokens = new UserTokens(endpoint, "alice", "refresh-0", (u, t) -> stored.add(t), new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(30)), clock);
        tokens.accessToken();
        clock.advance(Duration.ofSeconds(300));
        tokens.accessToken();
        assertThat(endpoint.refreshTokensSeen).containsExactly("refresh-0", "refresh-0");
        assertThat(stored).isEmpty();
    }

    @Test
    void aFailingStoreDoesNotLoseTheNewRefreshToken() {
        UserTokens tokens = new UserTokens(endpoint, "alice", "refresh-0", (u, t) -> {
            throw new IllegalStateException("disk full");
        }, new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(30)), clock);
        assertThat(tokens.accessToken()).isEqualTo("access-1");
        clock.advance(Duration.ofSeconds(300));
        assertThat(tokens.accessToken()).isEqualTo("access-2");
        assertThat(endpoint.refreshTokensSeen).containsExactly("refresh-0", "refresh-1");
    }

    @Test
    void anEndedLoginIsRememberedAndKeycloakIsNotAskedAgain() {
        UserTokens tokens = new UserTokens(endpoint, "alice", "refresh-0", (u, t) -> { }, new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(30)), clock);
        tokens.accessToken();
        endpoint.failure = new LoginExpiredException("Session not active");
        clock.advance(Duration.ofSeconds(300));
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(tokens::accessToken).isInstanceOf(LoginExpiredException.class)
                    .hasMessage("your login has expired: log out and log in again")
                    .satisfies(e -> assertThat(((LoginExpiredException) e).reason()).isEqualTo("Session not active"));
        }
        assertThat(endpoint.refreshTokensSeen).hasSize(2);
        assertThat(tokens.active()).isFalse();
        assertThat(tokens.toString()).contains("alice").doesNotContain("refresh-");
    }

    @Test
    void aTransientFailureIsRetriedOnTheNextCall() {
        UserTokens tokens = new UserTokens(endpoint, "alice", "refresh-0", (u, t) -> { }, new TokenValidity(Duration.ofSeconds(30), Duration.ofSeconds(30)), clock);
        endpoint.failure = new KeycloakUnavailableException("down", null);
        assertThatThrownBy(tokens::accessToken).isInstanceOf(KeycloakUnavailableException.class)
                .satisfies(e -> assertThat(((KeycloakException) e).isTransient()).isTrue());
        endpoint.failure = null;
        assertThat(tokens.accessToken()).isEqualTo("access-1");
        assertThat(endpoint.refreshTokensSeen).containsExactly("refresh-0", "refresh-0");
        assertThat(tokens.active()).isTrue();
    }
}
