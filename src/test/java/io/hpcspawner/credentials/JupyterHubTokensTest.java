package io.hpcspawner.credentials;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.http.Fault;
import io.hpcspawner.support.FakeTime;
import io.hpcspawner.support.JupyterHubStandIn;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Checking users' JupyterHub tokens against a stand-in hub ({@code GET /hub/api/user}): only
 * positive answers are remembered, the memory is bounded, the hub is given up quickly, and a
 * flood of unknown tokens reaches the hub at the configured rate at most.
 */
class JupyterHubTokensTest {

    @RegisterExtension
    static final JupyterHubStandIn hub = new JupyterHubStandIn();
    final FakeTime time = new FakeTime();

    /** Generous timeout: the first calls of a JVM on a busy machine are slow. */
    JupyterHubTokens tokens(int cacheSize, int perSecond, int burst) {
        return tokens(cacheSize, perSecond, burst, Duration.ofSeconds(10));
    }

    JupyterHubTokens tokens(int cacheSize, int perSecond, int burst, Duration timeout) {
        return new JupyterHubTokens(URI.create(hub.apiUrl() + "/"), new JupyterHubTokens.Limits(
                Duration.ofSeconds(60), cacheSize, timeout, perSecond, burst), time, new ObjectMapper());
    }

    JupyterHubTokens tokens() {
        return tokens(1000, 5, 20);
    }

    @Test
    void theOwnerAndTheScopesComeFromTheHubAndAreRememberedForTheTtl() {
        hub.knows("alice-token", "alice", "custom:hpcspawner:servers!user=alice", "read:users:name!user=alice");
        JupyterHubTokens t = tokens();
        HubTokenOwner owner = t.ownerOf("alice-token").orElseThrow();
        assertThat(owner.user()).isEqualTo("alice");
        assertThat(owner.scopes()).contains("custom:hpcspawner:servers!user=alice");
        t.ownerOf("alice-token");
        assertThat(hub.checks()).isEqualTo(1);
        time.advance(Duration.ofSeconds(61));
        t.ownerOf("alice-token");
        assertThat(hub.checks()).isEqualTo(2);
    }

    @Test
    void aHubFailureIsNotRememberedAsAnInvalidToken() {
        hub.answersEveryCheck(aResponse().withStatus(502));
        JupyterHubTokens t = tokens();
        assertThatThrownBy(() -> t.ownerOf("alice-token")).isInstanceOfSatisfying(TokenCheckUnavailable.class,
                e -> assertThat(e.rateLimited()).isFalse());
        hub.reset();
        hub.answersEveryCheck(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        assertThatThrownBy(() -> t.ownerOf("alice-token")).isInstanceOf(TokenCheckUnavailable.class);
        hub.reset();
        hub.knows("alice-token", "alice", "custom:hpcspawner:servers");
        assertThat(t.ownerOf("alice-token")).map(HubTokenOwner::user).contains("alice");
    }

    @Test
    void aRefusalIsNotRememberedEither() {
        JupyterHubTokens t = tokens();
        assertThat(t.ownerOf("new-token")).isEmpty();
        hub.reset();
        hub.knows("new-token", "bob", "custom:hpcspawner:servers");
        assertThat(t.ownerOf("new-token")).map(HubTokenOwner::user).contains("bob");
    }

    @Test
    void aServicesTokenIsNoUsersToken() {
        hub.answersEveryCheck(aResponse().withStatus(200)
                .withBody("{\"kind\":\"service\",\"name\":\"announcer\",\"scopes\":[\"custom:hpcspawner:servers\"]}"));
        assertThat(tokens().ownerOf("service-token")).isEmpty();
    }

    @Test
    void theMemoryOfVerifiedTokensIsBounded() {
        JupyterHubTokens t = tokens(50, 1000, 1000);
        for (int i = 0; i < 300; i++) {
            hub.knows("token-" + i, "user" + i, "custom:hpcspawner:servers");
            assertThat(t.ownerOf("token-" + i)).isPresent();
        }
        assertThat(t.remembered()).isLessThanOrEqualTo(50);
    }

    @Test
    void aSlowHubIsGivenUpQuickly() {
        hub.answersEveryCheck(aResponse().withStatus(200).withFixedDelay(8000)
                .withBody("{\"kind\":\"user\",\"name\":\"alice\",\"scopes\":[]}"));
        JupyterHubTokens t = tokens(10, 5, 20, Duration.ofSeconds(2));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> t.ownerOf("slow-token")).isInstanceOf(TokenCheckUnavailable.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void aFloodOfUnknownTokensReachesTheHubAtTheRateLimitOnly() {
        JupyterHubTokens t = tokens(1000, 5, 20);
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            try {
                assertThat(t.ownerOf("bad-" + i)).isEmpty();
            } catch (TokenCheckUnavailable e) {
                assertThat(e.rateLimited()).isTrue();
                assertThat(e.retryAfter()).isPositive();
                refused++;
            }
        }
        assertThat(hub.checks()).isEqualTo(20);
        assertThat(refused).isEqualTo(180);
        time.advance(Duration.ofSeconds(2)); // 10 more permits
        for (int i = 0; i < 50; i++) {
            try {
                t.ownerOf("later-" + i);
            } catch (TokenCheckUnavailable e) {
                // over the limit again
            }
        }
        assertThat(hub.checks()).isEqualTo(30);
    }

    @Test
    void verifiedTokensAreNotHeldUpByAFlood() {
        hub.knows("alice-token", "alice", "custom:hpcspawner:servers");
        JupyterHubTokens t = tokens(1000, 1, 2);
        t.ownerOf("alice-token");
        hub.reset();
        for (int i = 0; i < 10; i++) {
            try {
                t.ownerOf("bad-" + i);
            } catch (TokenCheckUnavailable e) {
                // flood refused
            }
        }
        assertThat(t.ownerOf("alice-token")).map(HubTokenOwner::user).contains("alice");
    }

    @Test
    void somethingThatCannotBeATokenIsNeverSentToTheHub() {
        JupyterHubTokens t = tokens();
        assertThat(t.ownerOf("a b")).isEmpty();
        assertThat(t.ownerOf("x".repeat(600))).isEmpty();
        assertThat(t.ownerOf("tok\u00e9n")).isEmpty();
        assertThat(hub.checks()).isZero();
    }

    @Test
    void aScopeCountsPlainOrFilteredToTheOwnerOnly() {
        String s = "custom:hpcspawner:servers";
        assertThat(new HubTokenOwner("alice", Set.of(s)).carries(s)).isTrue();
        assertThat(new HubTokenOwner("alice", Set.of(s + "!user=alice")).carries(s)).isTrue();
        assertThat(new HubTokenOwner("alice", Set.of(s + "!user=bob")).carries(s)).isFalse();
        assertThat(new HubTokenOwner("alice", Set.of(s + "!group=hpc")).carries(s)).isFalse();
        assertThat(new HubTokenOwner("alice", Set.of(s + "!server=alice/")).carries(s)).isFalse();
        assertThat(new HubTokenOwner("alice", Set.of(s + ":extra", "custom:hpcspawner")).carries(s)).isFalse();
        assertThat(new HubTokenOwner("alice", Set.of("access:servers!user=alice")).carries(s)).isFalse();
    }
}
