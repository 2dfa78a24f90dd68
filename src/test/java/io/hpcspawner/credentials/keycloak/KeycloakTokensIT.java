package io.hpcspawner.credentials.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.support.FakeTime;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The token client against a real Keycloak 26.7.3 with the realm
 * {@code src/test/resources/keycloak/hpcspawner-realm.json}. If Keycloak does not answer at
 * {@code -Dkeycloak.issuer} (default {@code http://127.0.0.1:8180/realms/hpcspawner}), it is
 * started with {@code scripts/stack/keycloak-up.sh} and left running for the next build
 * ({@code scripts/stack/keycloak-down.sh} stops it). User tokens come from the password grant of
 * the {@code jupyterhub} client, as a hub authenticator would hold them. The test's clock runs
 * ahead of Keycloak's to make renewals due without waiting. A Quarkus test because the OIDC
 * clients need the application's Vert.x.
 */
@QuarkusTest
class KeycloakTokensIT {

    private static final URI ISSUER = URI.create(System.getProperty("keycloak.issuer",
            "http://127.0.0.1:8180/realms/hpcspawner"));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Realm tokens live 60 s: with the default 30 s + 15 s they are renewed 15 s after their grant. */
    private static final Duration PAST_RENEWAL = Duration.ofSeconds(31);

    private static JsonNode realm;

    private final FakeTime clock = new FakeTime(Instant.now());

    @Inject
    OidcClients oidc;

    @BeforeAll
    static void keycloakIsUp() throws Exception {
        try (InputStream in = KeycloakTokensIT.class.getResourceAsStream("/keycloak/hpcspawner-realm.json")) {
            realm = JSON.readTree(in);
        }
        if (answers()) {
            return;
        }
        long started = System.nanoTime();
        Path log = Files.createTempFile("keycloak-up", ".log");
        Process p = new ProcessBuilder("bash", "scripts/stack/keycloak-up.sh").redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroy();
            fail("keycloak-up.sh did not finish in 300 s: " + Files.readString(log));
        }
        assertThat(p.exitValue()).as("keycloak-up.sh: %s", Files.readString(log)).isZero();
        assertThat(answers()).as("Keycloak answers at %s after keycloak-up.sh", ISSUER).isTrue();
        System.out.printf("KeycloakTokensIT started Keycloak in %.1f s: %s%n", (System.nanoTime() - started) / 1e9,
                Files.readString(log).strip());
    }

    private static boolean answers() {
        try {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create(ISSUER + "/.well-known/openid-configuration"))
                    .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // --- realm data --------------------------------------------------------------------------

    private static String secretOf(String clientId) {
        for (JsonNode c : realm.path("clients")) {
            if (clientId.equals(c.path("clientId").asText())) {
                return c.path("secret").asText();
            }
        }
        throw new IllegalArgumentException("no client " + clientId + " in the realm file");
    }

    private static String passwordOf(String user) {
        for (JsonNode u : realm.path("users")) {
            if (user.equals(u.path("username").asText())) {
                return u.path("credentials").path(0).path("value").asText();
            }
        }
        throw new IllegalArgumentException("no user " + user + " in the realm file");
    }

    private KeycloakClient client(String clientId) {
        String secret = secretOf(clientId);
        return new KeycloakClient(oidc, ISSUER, clientId, () -> secret, TIMEOUT);
    }

    // --- what the hub does (not part of the spawner) -----------------------------------------

    private static JsonNode post(String path, Map<String, String> form, int expectedStatus) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(ISSUER + path)).timeout(TIMEOUT)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(expectedStatus);
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    /** A user's login through {@code clientId}, as the hub's authenticator would hold it. */
    private static JsonNode login(String clientId, String user) throws Exception {
        return post("/protocol/openid-connect/token", Map.of("grant_type", "password", "client_id", clientId,
                "client_secret", secretOf(clientId), "username", user, "password", passwordOf(user), "scope", "openid"), 200);
    }

    private static void logout(String clientId, String refreshToken) throws Exception {
        post("/protocol/openid-connect/logout", Map.of("client_id", clientId, "client_secret", secretOf(clientId),
                "refresh_token", refreshToken), 204);
    }

    private static JsonNode claims(String jwt) throws IOException {
        return JSON.readTree(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]));
    }

    // --- tests ---------------------------------------------------------------------------------

    @Test
    void clientCredentialsGiveTheServiceAccountsTokenCachedUntilRenewalIsDue() throws Exception {
        ServiceAccountTokens tokens = new ServiceAccountTokens(client("hpcspawner-service"), TokenValidity.DEFAULT, clock);
        String first = tokens.accessToken();
        JsonNode c = claims(first);
        assertThat(c.path("iss").asText()).isEqualTo(ISSUER.toString());
        assertThat(c.path("preferred_username").asText()).isEqualTo("service-account-hpcspawner-service");
        assertThat(c.path("client_id").asText()).isEqualTo("hpcspawner-service");
        assertThat(c.path("azp").asText()).isEqualTo("hpcspawner-service");
        assertThat(c.path("exp").asLong() - c.path("iat").asLong()).isEqualTo(60);

        assertThat(tokens.accessToken()).as("cached").isSameAs(first);
        clock.advance(PAST_RENEWAL);
        String second = tokens.accessToken();
        assertThat(claims(second).path("jti").asText()).isNotEqualTo(c.path("jti").asText());
    }

    /**
     * The realm leaves <em>Revoke Refresh Token</em> off, as docs/configuration.md tells sites to:
     * Keycloak still hands out a new refresh token with every refresh (the service stores it), but
     * the copy the hub kept stays valid, so the hub refreshing its own copy does not end the
     * service's, nor the other way round.
     */
    @Test
    void userTokensRefreshAndStoreTheNewRefreshTokenWhileTheHubsCopyKeepsWorking() throws Exception {
        assertThat(realm.path("revokeRefreshToken").asBoolean(true)).as("the realm follows the docs").isFalse();
        JsonNode hubLogin = login("jupyterhub", "alice");
        String original = hubLogin.path("refresh_token").asText();
        // Keycloak compares issue times in whole seconds: wait one second so each refresh is newer.
        Thread.sleep(1_100);
        KeycloakClient hubClient = client("jupyterhub");
        List<String> stored = Collections.synchronizedList(new ArrayList<>());
        UserTokens tokens = new UserTokens(hubClient, "alice", original, (u, t) -> stored.add(t), TokenValidity.DEFAULT, clock);

        String a1 = tokens.accessToken();
        assertThat(claims(a1).path("preferred_username").asText()).isEqualTo("alice");
        assertThat(claims(a1).path("azp").asText()).isEqualTo("jupyterhub");
        assertThat(stored).hasSize(1).doesNotContain(original);
        assertThat(tokens.loginExpiresAt()).hasValueSatisfying(at -> assertThat(at).isAfter(clock.instant().plusSeconds(500)));
        assertThat(tokens.accessToken()).as("cached").isSameAs(a1);
        assertThat(stored).hasSize(1);

        clock.advance(PAST_RENEWAL);
        String a2 = tokens.accessToken();
        assertThat(a2).isNotEqualTo(a1);
        assertThat(stored).hasSize(2).doesNotHaveDuplicates();

        // The hub refreshes its own (older) copy, as an authenticator's refresh_user does ...
        Thread.sleep(1_100);
        assertThat(hubClient.refresh(original).accessToken()).isNotEmpty();
        // ... and the service's copy still works.
        clock.advance(PAST_RENEWAL);
        String a3 = tokens.accessToken();
        assertThat(claims(a3).path("preferred_username").asText()).isEqualTo("alice");
        assertThat(tokens.active()).isTrue();
    }

    /**
     * What docs/firecrest.md asks of a realm whose tokens go to FirecREST v2 and, through it, to
     * slurmrestd: the service account's token carries no {@code email} claim (FirecREST treats
     * such a token as a service account, the only kind that sees every user's jobs), and users'
     * tokens carry Slurm's user name in {@code sun}.
     */
    @Test
    void theServiceAccountsTokenHasNoEmailAndUsersTokensCarrySun() throws Exception {
        JsonNode service = claims(new ServiceAccountTokens(client("hpcspawner-service"), TokenValidity.DEFAULT, clock)
                .accessToken());
        assertThat(service.has("email")).as("service token claims %s", service).isFalse();
        JsonNode hubLogin = login("jupyterhub", "bob");
        UserTokens tokens = new UserTokens(client("jupyterhub"), "bob", hubLogin.path("refresh_token").asText(),
                (u, t) -> { }, TokenValidity.DEFAULT, clock);
        JsonNode user = claims(tokens.accessToken());
        assertThat(user.path("email").asText()).isEqualTo("bob@example.org");
        assertThat(user.path("sun").asText()).isEqualTo("bob");
    }

    @Test
    void concurrentCallersCauseOneRefreshAndTheSessionSurvives() throws Exception {
        JsonNode hubLogin = login("jupyterhub", "bob");
        List<String> stored = Collections.synchronizedList(new ArrayList<>());
        UserTokens tokens = new UserTokens(client("jupyterhub"), "bob", hubLogin.path("refresh_token").asText(),
                (u, t) -> stored.add(t), TokenValidity.DEFAULT, clock);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 3; round++) {
                clock.advance(PAST_RENEWAL);
                List<Future<String>> got = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    got.add(pool.submit(tokens::accessToken));
                }
                String first = got.get(0).get(20, TimeUnit.SECONDS);
                for (Future<String> f : got) {
                    assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo(first);
                }
                assertThat(stored).as("one rotation per round").hasSize(round + 1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(tokens.active()).isTrue();
    }

    @Test
    void aLoggedOutUserGetsLoginExpired() throws Exception {
        JsonNode hubLogin = login("jupyterhub", "bob");
        AtomicReference<String> latest = new AtomicReference<>(hubLogin.path("refresh_token").asText());
        UserTokens tokens = new UserTokens(client("jupyterhub"), "bob", latest.get(), (u, t) -> latest.set(t),
                TokenValidity.DEFAULT, clock);
        assertThat(claims(tokens.accessToken()).path("preferred_username").asText()).isEqualTo("bob");

        logout("jupyterhub", latest.get()); // the user logs out at the hub; the hub ends the Keycloak session
        clock.advance(PAST_RENEWAL);
        for (int i = 0; i < 2; i++) { // the second time from memory, without asking Keycloak
            assertThatThrownBy(tokens::accessToken).isInstanceOf(LoginExpiredException.class)
                    .hasMessage("your login has expired: log out and log in again")
                    .satisfies(e -> assertThat(((LoginExpiredException) e).reason()).isEqualTo("Session not active"));
        }
    }

    @Test
    void anIdleSessionExpiresButRefreshesKeepItAlive() throws Exception {
        // jupyterhub-short-session: client sessions end after 5 s without a refresh.
        JsonNode hubLogin = login("jupyterhub-short-session", "alice");
        assertThat(hubLogin.path("refresh_expires_in").asInt()).isEqualTo(5);
        UserTokens tokens = new UserTokens(client("jupyterhub-short-session"), "alice",
                hubLogin.path("refresh_token").asText(), (u, t) -> { }, TokenValidity.DEFAULT, clock);
        for (int i = 0; i < 2; i++) { // 6 s in all, each refresh within the 5 s
            Thread.sleep(3_000);
            clock.advance(PAST_RENEWAL);
            tokens.accessToken();
        }
        Thread.sleep(6_000);
        clock.advance(PAST_RENEWAL);
        assertThatThrownBy(tokens::accessToken).isInstanceOf(LoginExpiredException.class)
                .hasMessage(LoginExpiredException.USER_MESSAGE)
                .satisfies(e -> assertThat(((LoginExpiredException) e).reason()).isEqualTo("Token is not active"));
    }

    @Test
    void aWrongSecretIsAConfigurationErrorAndARotatedSecretIsPickedUp() {
        String right = secretOf("hpcspawner-service");
        String wrong = "wrong-" + Long.toHexString(System.nanoTime());
        AtomicReference<String> vault = new AtomicReference<>(wrong);
        ServiceAccountTokens tokens = new ServiceAccountTokens(
                new KeycloakClient(oidc, ISSUER, "hpcspawner-service", vault::get, TIMEOUT), TokenValidity.DEFAULT, clock);
        assertThatThrownBy(tokens::accessToken).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("'hpcspawner-service'").hasMessageContaining(ISSUER.toString())
                .hasMessageNotContaining(wrong).hasMessageNotContaining(right)
                .satisfies(e -> assertThat(((KeycloakException) e).isTransient()).isFalse())
                .satisfies(e -> System.out.println("KeycloakTokensIT: what an operator sees: " + e.getMessage()));

        vault.set(right); // the secret was corrected (e.g. rotated in Vault): no rebuild needed
        assertThat(tokens.accessToken()).isNotEmpty();
    }

    @Test
    void anUnknownClientOrRealmIsAConfigurationError() {
        KeycloakClient unknown = new KeycloakClient(oidc, ISSUER, "no-such-client", "x".toCharArray(), TIMEOUT);
        assertThatThrownBy(unknown::clientCredentials).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("'no-such-client'");
        KeycloakClient noServiceAccount = client("jupyterhub");
        assertThatThrownBy(noServiceAccount::clientCredentials).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("service account");
        URI otherRealm = URI.create(ISSUER.toString().replace("/realms/hpcspawner", "/realms/no-such-realm"));
        KeycloakClient wrongRealm = new KeycloakClient(oidc, otherRealm, "hpcspawner-service", "x".toCharArray(), TIMEOUT);
        assertThatThrownBy(wrongRealm::clientCredentials).isInstanceOf(KeycloakConfigurationException.class)
                .hasMessageContaining("issuer URL");
    }

    @Test
    void aRefreshTokenOfAnotherClientIsAConfigurationErrorNotAnExpiredLogin() throws Exception {
        String hubRefreshToken = login("jupyterhub", "alice").path("refresh_token").asText();
        assertThatThrownBy(() -> client("hpcspawner-service").refresh(hubRefreshToken))
                .isInstanceOf(KeycloakConfigurationException.class).hasMessageContaining("client don't match");
    }
}
