package io.hpcspawner.credentials.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * How {@link KeycloakClient} (a named quarkus-oidc-client) encodes grants and classifies answers,
 * against a scripted HTTP server; the answers Keycloak really gives are checked by
 * {@link KeycloakTokensIT}. This covers what a healthy Keycloak cannot be made to do: 5xx,
 * timeouts, odd bodies. A Quarkus test because the OIDC clients need the application's Vert.x.
 */
@QuarkusTest
class KeycloakClientTest {

    private static final String SECRET = "s3cr3t-value-that-must-not-leak";

    @Inject
    OidcClients oidc;

    private HttpServer server;
    private URI issuer;
    private final AtomicReference<Integer> status = new AtomicReference<>(200);
    private final AtomicReference<String> body = new AtomicReference<>();
    private final AtomicReference<Long> delayMillis = new AtomicReference<>(0L);
    private final List<Map<String, String>> forms = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/realms/test/protocol/openid-connect/token", ex -> {
            forms.add(parseForm(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    ex.getRequestHeaders().getFirst("Content-Type")));
            try {
                Thread.sleep(delayMillis.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] out = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status.get(), out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        server.start();
        issuer = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/realms/test/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private static Map<String, String> parseForm(String form, String contentType) {
        Map<String, String> m = new HashMap<>();
        m.put("#content-type", contentType);
        for (String pair : form.split("&")) {
            String[] kv = pair.split("=", 2);
            m.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return m;
    }

    private KeycloakClient client(String secret) {
        return new KeycloakClient(oidc, issuer, "svc", secret.toCharArray(), Duration.ofSeconds(2));
    }

    private void answer(int code, String json) {
        status.set(code);
        body.set(json);
    }

    @Test
    void clientCredentialsArePostedInTheFormAndTheAnswerRead() {
        answer(200, "{\"access_token\":\"at\",\"expires_in\":300,\"refresh_expires_in\":0,\"token_type\":\"Bearer\"}");
        TokenResponse r = client("a&b=c+d é").clientCredentials();
        assertThat(r.accessToken()).isEqualTo("at");
        assertThat(r.expiresIn()).isEqualTo(Duration.ofSeconds(300));
        assertThat(r.refreshToken()).isEmpty();
        assertThat(r.refreshExpiresIn()).isEmpty();
        assertThat(r.toString()).doesNotContain("at,").doesNotContain("=at");
        assertThat(forms.get(0)).containsEntry("grant_type", "client_credentials").containsEntry("client_id", "svc")
                .containsEntry("client_secret", "a&b=c+d é").containsEntry("#content-type", "application/x-www-form-urlencoded");
    }

    @Test
    void refreshSendsTheRefreshTokenAndReturnsTheRotatedOne() {
        answer(200, "{\"access_token\":\"at2\",\"expires_in\":60,\"refresh_token\":\"rt2\",\"refresh_expires_in\":1800}");
        TokenResponse r = client(SECRET).refresh("rt1");
        assertThat(forms.get(0)).containsEntry("grant_type", "refresh_token").containsEntry("refresh_token", "rt1");
        assertThat(r.refreshToken()).contains("rt2");
        assertThat(r.refreshExpiresIn()).contains(Duration.ofSeconds(1800));
        assertThat(r.toString()).doesNotContain("rt2");
    }

    @Test
    void aRotatedSecretIsUsedOnTheNextGrant() {
        answer(200, "{\"access_token\":\"at\",\"expires_in\":300}");
        AtomicReference<String> vault = new AtomicReference<>("first");
        KeycloakClient c = new KeycloakClient(oidc, issuer, "svc", vault::get, Duration.ofSeconds(2));
        c.clientCredentials();
        vault.set("second");
        c.clientCredentials();
        assertThat(forms).extracting(f -> f.get("client_secret")).containsExactly("first", "second");
    }

    @Test
    void endedSessionsAreLoginExpired() {
        for (String reason : List.of("Session not active", "Token is not active", "Stale token",
                "Maximum allowed refresh token reuse exceeded", "Invalid refresh token")) {
            answer(400, "{\"error\":\"invalid_grant\",\"error_description\":\"" + reason + "\"}");
            assertThatThrownBy(() -> client(SECRET).refresh("rt")).isInstanceOf(LoginExpiredException.class)
                    .hasMessage(LoginExpiredException.USER_MESSAGE)
                    .satisfies(e -> assertThat(((LoginExpiredException) e).reason()).isEqualTo(reason))
                    .satisfies(e -> assertThat(((KeycloakException) e).isTransient()).isFalse());
        }
    }

    @Test
    void aRefreshTokenOfAnotherClientIsAConfigurationError() {
        answer(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid refresh token. Token client and authorized client don't match\"}");
        assertThatThrownBy(() -> client(SECRET).refresh("rt")).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("'svc'");
    }

    @Test
    void aRefusedClientIsAConfigurationErrorNamingTheClientButNotTheSecret() {
        for (String error : List.of("invalid_client", "unauthorized_client")) {
            answer(401, "{\"error\":\"" + error + "\",\"error_description\":\"Invalid client or Invalid client credentials\"}");
            assertThatThrownBy(() -> client(SECRET).clientCredentials()).isInstanceOf(KeycloakConfigurationException.class)
                    .hasMessageContaining("client 'svc'").hasMessageContaining(issuer.toString().replaceAll("/$", ""))
                    .hasMessageContaining(error).hasMessageNotContaining(SECRET)
                    .satisfies(e -> assertThat(((KeycloakException) e).isTransient()).isFalse());
        }
    }

    @Test
    void invalidGrantOnClientCredentialsIsNotALoginProblem() {
        answer(400, "{\"error\":\"invalid_grant\",\"error_description\":\"whatever\"}");
        assertThatThrownBy(() -> client(SECRET).clientCredentials()).isInstanceOf(KeycloakConfigurationException.class);
    }

    @Test
    void unknownRealmIsAConfigurationError() {
        answer(404, "{\"error\":\"Realm does not exist\"}");
        assertThatThrownBy(() -> client(SECRET).clientCredentials()).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("issuer URL");
    }

    @Test
    void serverErrorsAndRateLimitsAreTransient() {
        for (int code : new int[] {500, 502, 503, 429}) {
            answer(code, code == 502 ? "<html>Bad Gateway</html>" : "{\"error\":\"unknown_error\"}");
            assertThatThrownBy(() -> client(SECRET).refresh("rt")).as("HTTP %d", code)
                    .isInstanceOf(KeycloakUnavailableException.class).hasMessageContaining("HTTP " + code)
                    .satisfies(e -> assertThat(((KeycloakException) e).isTransient()).isTrue());
        }
    }

    @Test
    void aNonJsonSuccessIsAConfigurationError() {
        answer(200, "<html>a login page</html>");
        assertThatThrownBy(() -> client(SECRET).clientCredentials()).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("not JSON");
        answer(200, "{\"token_type\":\"Bearer\"}");
        assertThatThrownBy(() -> client(SECRET).clientCredentials()).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("no access_token");
    }

    @Test
    void timeoutsAreTransient() {
        answer(200, "{\"access_token\":\"at\",\"expires_in\":300}");
        delayMillis.set(1500L);
        KeycloakClient c = new KeycloakClient(oidc, issuer, "svc", SECRET.toCharArray(), Duration.ofMillis(300));
        assertThatThrownBy(c::clientCredentials).isInstanceOf(KeycloakUnavailableException.class)
                .hasMessageContaining("timed out");
    }

    @Test
    void connectionRefusedIsTransient() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        KeycloakClient c = new KeycloakClient(oidc, URI.create("http://127.0.0.1:" + port + "/realms/x"), "svc",
                SECRET.toCharArray(), Duration.ofSeconds(2));
        assertThatThrownBy(c::clientCredentials).isInstanceOf(KeycloakUnavailableException.class)
                .hasMessageContaining("not available").hasMessageNotContaining(SECRET);
    }

    @Test
    void aMissingSecretIsAConfigurationError() {
        KeycloakClient c = new KeycloakClient(oidc, issuer, "svc", () -> null, Duration.ofSeconds(2));
        assertThatThrownBy(c::clientCredentials).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("'svc'");
        assertThat(forms).isEmpty();
    }

    @Test
    void anIssuerTheOidcClientCannotUseIsAConfigurationError() {
        KeycloakClient c = new KeycloakClient(oidc, URI.create("realms/test"), "svc", SECRET.toCharArray(), Duration.ofSeconds(2));
        assertThatThrownBy(c::clientCredentials).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("'svc'").hasMessageContaining("issuer URL").hasMessageNotContaining(SECRET);
    }

    @Test
    void theCharArrayIsCopied() {
        answer(200, "{\"access_token\":\"at\",\"expires_in\":300}");
        char[] secret = SECRET.toCharArray();
        KeycloakClient c = new KeycloakClient(oidc, issuer, "svc", secret, Duration.ofSeconds(2));
        java.util.Arrays.fill(secret, '\0');
        c.clientCredentials();
        assertThat(forms.get(0)).containsEntry("client_secret", SECRET);
        assertThat(c.toString()).contains("svc").doesNotContain(SECRET);
    }

    @Test
    void aRejectedSecretThatCanBeReReadIsReadOnceMoreAndTriedAgain() {
        // Vault rotated the secret: the cached value is stale until re-read
        java.util.concurrent.atomic.AtomicInteger invalidations = new java.util.concurrent.atomic.AtomicInteger();
        io.hpcspawner.credentials.secrets.RefreshableSecret rotating = new io.hpcspawner.credentials.secrets.RefreshableSecret() {
            @Override
            public String get() {
                return invalidations.get() == 0 ? "old-secret" : "new-secret";
            }

            @Override
            public void invalidate() {
                invalidations.incrementAndGet();
            }
        };
        KeycloakClient client = new KeycloakClient(oidc, issuer, "svc", rotating, Duration.ofSeconds(2));
        status.set(401);
        body.set("{\"error\":\"unauthorized_client\",\"error_description\":\"Invalid client or Invalid client credentials\"}");

        assertThatThrownBy(client::clientCredentials).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("unauthorized_client").hasMessageNotContaining("secret\"");
        assertThat(forms).extracting(f -> f.get("client_secret")).containsExactly("old-secret", "new-secret");
        assertThat(invalidations).hasValue(1);

        forms.clear();
        status.set(200);
        body.set("{\"access_token\":\"a\",\"expires_in\":300,\"token_type\":\"Bearer\"}");
        assertThat(client.clientCredentials().accessToken()).isEqualTo("a");
        assertThat(forms).hasSize(1);
        assertThat(invalidations).hasValue(1);
    }
    /**
     * quarkus-oidc-client's DEBUG lines print the token request's form: with its loggers turned to
     * DEBUG (as a site might for the OIDC categories or the root), no line shows the client secret
     * or a refresh token.
     */
    @Test
    void debugLoggingOfTheOidcClientShowsNoSecretAndNoRefreshToken() {
        answer(200, "{\"access_token\":\"at2\",\"expires_in\":60,\"refresh_token\":\"rt2\",\"refresh_expires_in\":1800}");
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        java.util.logging.Handler capture = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                lines.add(r.getMessage() + " " + java.util.Arrays.toString(r.getParameters()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.setLevel(java.util.logging.Level.ALL);
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.quarkus.oidc");
        java.util.logging.Level before = logger.getLevel();
        logger.addHandler(capture);
        logger.setLevel(java.util.logging.Level.FINEST);
        try {
            client(SECRET).refresh("rt1-refresh-token-that-must-not-leak");
        } finally {
            logger.removeHandler(capture);
            logger.setLevel(before);
        }
        assertThat(forms).hasSize(1);
        assertThat(lines).noneMatch(l -> l.contains(SECRET) || l.contains("rt1-refresh-token-that-must-not-leak")
                || l.contains("rt2"));
    }
}
