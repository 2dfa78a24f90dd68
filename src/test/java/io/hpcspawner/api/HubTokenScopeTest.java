package io.hpcspawner.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.support.JupyterHubStandIn;
import io.hpcspawner.support.TestConfigs;
import java.time.Clock;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's JupyterHub token reaches that user's servers only when it carries the scope made for
 * this service; the hub (a WireMock stand-in) answers {@code GET /hub/api/user} with the token's
 * expanded scopes, as JupyterHub 2.x-5.x do.
 */
class HubTokenScopeTest {

    static final String SCOPE = "custom:hpcspawner:servers";

    @RegisterExtension
    static final JupyterHubStandIn hub = new JupyterHubStandIn();

    ApiAuthenticator auth(String... more) {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.auth.jupyterhub-api-url", hub.apiUrl());
        p.put("hpcspawner.auth.hub-timeout", "10s");
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return new ApiAuthenticator(TestConfigs.from(p), Clock.systemUTC(), new ObjectMapper());
    }

    static void refused(ThrowingCallable call, int status, String code, String... inMessage) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
            if (inMessage.length > 0) {
                assertThat(e.getMessage()).contains(inMessage);
            }
        });
    }

    @Test
    void aTokenWithTheScopeReachesItsOwnersServers() {
        hub.knows("plain", "alice", SCOPE, "read:users:name!user=alice");
        hub.knows("filtered", "alice", SCOPE + "!user=alice");
        ApiAuthenticator auth = auth();
        assertThat(auth.authorize("Bearer plain", "alice").user()).isEqualTo("alice");
        assertThat(auth.authorize("token filtered", "alice").user()).isEqualTo("alice");
        refused(() -> auth.authorize("Bearer plain", "bob"), 403, "forbidden", "alice");
        refused(() -> auth.authorizeHub("Bearer plain"), 403, "forbidden");
    }

    @Test
    void aNotebooksOwnTokenOrAnIdentifyOnlyTokenGets403NamingTheScopeAndHowToGrantIt() {
        hub.knows("notebook", "alice", "access:servers!server=alice/", "users:activity!user=alice");
        hub.knows("identify", "alice", "read:users:name!user=alice", "read:users:groups!user=alice");
        ApiAuthenticator auth = auth();
        for (String token : new String[] {"notebook", "identify"}) {
            refused(() -> auth.authorize("Bearer " + token, "alice"), 403, "missing_scope",
                    SCOPE, "c.JupyterHub.custom_scopes", "c.JupyterHub.load_roles");
        }
    }

    @Test
    void theScopeFilteredToAnotherUserGroupOrServerDoesNotCount() {
        hub.knows("bobs-filter", "alice", SCOPE + "!user=bob");
        hub.knows("group", "alice", SCOPE + "!group=hpc");
        hub.knows("server", "alice", SCOPE + "!server=alice/");
        ApiAuthenticator auth = auth();
        for (String token : new String[] {"bobs-filter", "group", "server"}) {
            refused(() -> auth.authorize("Bearer " + token, "alice"), 403, "missing_scope", SCOPE);
        }
    }

    @Test
    void theSiteChoosesTheScope() {
        hub.knows("t", "alice", SCOPE);
        refused(() -> auth("hpcspawner.auth.required-scope", "custom:site:jupyter").authorize("Bearer t", "alice"),
                403, "missing_scope", "custom:site:jupyter");
    }

    @Test
    void aHubThatDoesNotAnswerGets503WithRetryAfterNot401() {
        hub.answersEveryCheck(aResponse().withStatus(500));
        assertThatThrownBy(() -> auth().authenticate("Bearer maybe-valid")).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(503);
            assertThat(e.code()).isEqualTo("hub_unavailable");
            assertThat(e.retryAfter()).isPresent();
        });
    }

    @Test
    void aFloodOfUnknownTokensGets429WithoutCallingTheHub() {
        ApiAuthenticator auth = auth("hpcspawner.auth.token-checks-per-second", "1", "hpcspawner.auth.token-checks-burst", "3");
        for (int i = 0; i < 3; i++) {
            int n = i;
            refused(() -> auth.authenticate("Bearer bad-" + n), 401, "unauthorized");
        }
        refused(() -> auth.authenticate("Bearer bad-4"), 429, "too_many_token_checks", "retry");
        assertThat(hub.checks()).isEqualTo(3);
        // the hub's and the static tokens never wait for the hub
        assertThat(auth.authenticate("Bearer test-hub-token-0123456789abcdef0123456789").hub()).isTrue();
    }

    @Test
    void aRefusedCheckTellsTheCallerWhenToRetry() {
        jakarta.ws.rs.core.Response r = new ErrorMapper().api(new ApiException(429, "too_many_token_checks", "retry later",
                null).retryAfter(java.time.Duration.ofSeconds(3)));
        assertThat(r.getStatus()).isEqualTo(429);
        assertThat(r.getHeaderString("Retry-After")).isEqualTo("3");
    }
}
