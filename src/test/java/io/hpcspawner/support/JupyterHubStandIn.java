package io.hpcspawner.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * WireMock playing JupyterHub's {@code GET /hub/api/user}: for a known token, the user model with
 * the token's expanded scopes (as JupyterHub 2.x-5.x answer it); for any other token, 403. As a
 * JUnit extension ({@code @RegisterExtension static}) it runs for the test class and forgets every
 * token before each test.
 */
public final class JupyterHubStandIn implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private static final String USER = "/hub/api/user";
    private final WireMockServer hub = new WireMockServer(wireMockConfig().dynamicPort());

    public JupyterHubStandIn start() {
        hub.start();
        reset();
        return this;
    }

    public void stop() {
        hub.stop();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        reset();
    }

    /** What {@code hpcspawner.auth.jupyterhub-api-url} is set to. */
    public String apiUrl() {
        return hub.baseUrl() + "/hub/api";
    }

    /** Forgets every token and call; unknown tokens get 403 again. */
    public void reset() {
        hub.resetAll();
        hub.stubFor(get(urlPathEqualTo(USER)).atPriority(10).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json").withBody("{\"status\":403,\"message\":\"Forbidden\"}")));
    }

    /** The hub knows {@code token} as a token of {@code user} with these (expanded) scopes. */
    public void knows(String token, String user, String... scopes) {
        String list = Arrays.stream(scopes).map(s -> "\"" + s + "\"").collect(Collectors.joining(","));
        hub.stubFor(get(urlPathEqualTo(USER)).atPriority(1).withHeader("Authorization", equalTo("token " + token))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody("{\"kind\":\"user\",\"name\":\"" + user + "\",\"admin\":false,\"groups\":[],"
                                + "\"session_id\":null,\"scopes\":[" + list + "]}")));
    }

    /** Every token check gets this answer (e.g. a 502, a delay, a reset connection). */
    public void answersEveryCheck(ResponseDefinitionBuilder answer) {
        hub.resetAll();
        hub.stubFor(get(urlPathEqualTo(USER)).willReturn(answer));
    }

    /** Token checks the hub received. */
    public int checks() {
        return hub.countRequestsMatching(getRequestedFor(urlPathEqualTo(USER)).build()).getCount();
    }
}
