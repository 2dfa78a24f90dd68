package io.hpcspawner.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.support.TestRealm;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API with Keycloak bearer tokens on, against the real Keycloak 26 of
 * {@code scripts/stack/keycloak-up.sh} (realm {@code src/test/resources/keycloak/hpcspawner-realm.json},
 * started if needed and left running). The hub's token comes from the client credentials of
 * {@code jupyterhub-api} (client role {@code hpcspawner-api/hub}), users' tokens from the password
 * grant of {@code jupyterhub} (role {@code user}). Tokens that differ from a good one in one claim
 * only are signed with the realm's own test key (in the realm file), so each refusal is for that
 * claim; a token signed with any other key is refused as well. JupyterHub's tokens keep working
 * in the same run.
 */
@QuarkusTest
@TestProfile(KeycloakBearerIT.Profile.class)
class KeycloakBearerIT {

    static final String ISSUER = "http://127.0.0.1:8180/realms/hpcspawner";
    static final String HUB_TOKEN = AuthorizationMatrixTest.HUB_TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static TestRealm realm;

    /** Keycloak on, as docs/keycloak.md shows it; the stand-in JupyterHub of the matrix test for JupyterHub's tokens. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hpcspawner.store.directory", "target/test-store-keycloak-bearer",
                    "quarkus.oidc.tenant-enabled", "true",
                    "quarkus.oidc.auth-server-url", ISSUER,
                    "quarkus.oidc.client-id", "hpcspawner-api",
                    "quarkus.oidc.token.audience", "hpcspawner-api",
                    "quarkus.oidc.roles.role-claim-path", "resource_access/hpcspawner-api/roles",
                    "hpcspawner.auth.keycloak.hub-role", "hub", "hpcspawner.auth.keycloak.user-role", "user");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KeycloakUp.class), new TestResourceEntry(AuthorizationMatrixTest.StandInHub.class));
        }
    }

    /** Runs {@code scripts/stack/keycloak-up.sh}: starts Keycloak, or restarts it when the realm file changed; quick when it runs already. */
    public static class KeycloakUp implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            try {
                Path log = Files.createTempFile("keycloak-up", ".log");
                Process p = new ProcessBuilder("bash", "scripts/stack/keycloak-up.sh").redirectErrorStream(true)
                        .redirectOutput(log.toFile()).start();
                if (!p.waitFor(300, TimeUnit.SECONDS)) {
                    p.destroy();
                    throw new IllegalStateException("keycloak-up.sh did not finish in 300 s: " + Files.readString(log));
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("keycloak-up.sh failed: " + Files.readString(log));
                }
                return Map.of();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void stop() {
            // left running for the next build (scripts/stack/keycloak-down.sh stops it)
        }
    }

    @BeforeAll
    static void readRealm() {
        realm = TestRealm.load();
    }

    // --- tokens, as the hub would get them ----------------------------------------------------

    private static String token(Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(ISSUER + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("token request %s: %s", form.get("client_id"), r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("access_token").asText();
    }

    /** The hub's own token: client credentials of the client whose service account has the hub role. */
    private static String hubKeycloakToken() throws Exception {
        return token(Map.of("grant_type", "client_credentials", "client_id", "jupyterhub-api", "client_secret",
                realm.secretOf("jupyterhub-api")));
    }

    /** A user's access token from the hub's login client. */
    private static String userToken(String clientId, String user) throws Exception {
        return token(Map.of("grant_type", "password", "client_id", clientId, "client_secret", realm.secretOf(clientId),
                "username", user, "password", realm.passwordOf(user), "scope", "openid"));
    }

    // --- tokens changed in one claim, signed with the realm's test key ------------------------

    private static ObjectNode part(String token, int i) throws Exception {
        return (ObjectNode) JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[i]));
    }

    private static String sign(ObjectNode header, ObjectNode claims, PrivateKey key) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signed = b64.encodeToString(JSON.writeValueAsBytes(header)) + "." + b64.encodeToString(JSON.writeValueAsBytes(claims));
        Signature rs256 = Signature.getInstance("SHA256withRSA");
        rs256.initSign(key);
        rs256.update(signed.getBytes(StandardCharsets.US_ASCII));
        return signed + "." + b64.encodeToString(rs256.sign());
    }

    private static PrivateKey realmKey() throws Exception {
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(realm.signingKey())));
    }

    /** Alice's genuine token with {@code change} applied to its claims, signed again by {@code key}. */
    private static String aliceTokenWith(Consumer<ObjectNode> change, PrivateKey key) throws Exception {
        String genuine = userToken("jupyterhub", "alice");
        ObjectNode claims = part(genuine, 1);
        change.accept(claims);
        return sign(part(genuine, 0), claims, key);
    }

    // --- calls ---------------------------------------------------------------------------------

    private static ValidatableResponse get(String token, String path) {
        return given().header("Authorization", "Bearer " + token).get(path).then();
    }

    private static void refused(String token, String why) {
        get(token, "/api/v1/users/alice/servers").statusCode(401).contentType(ContentType.JSON)
                .body("error", equalTo("unauthorized")).body("message", containsString(why));
    }

    // --- what is accepted ------------------------------------------------------------------------

    @Test
    void theHubsKeycloakTokenCreatesAndReadsAnyUsersServer() throws Exception {
        String hub = hubKeycloakToken();
        for (String user : List.of("alice", "bob")) {
            String startId = "kc-hub-" + user + "-" + System.nanoTime();
            given().header("Authorization", "Bearer " + hub).contentType(ContentType.JSON).body(Map.of("startId", startId))
                    .post("/api/v1/users/" + user + "/servers/kc").then().statusCode(202).body("user", equalTo(user));
            get(hub, "/api/v1/users/" + user + "/servers/kc").statusCode(200).body("startId", equalTo(startId));
        }
        get(hub, "/api/v1/servers").statusCode(200);
    }

    @Test
    void aUsersKeycloakTokenReachesOnlyThatUsersServers() throws Exception {
        String alice = userToken("jupyterhub", "alice");
        get(alice, "/api/v1/users/alice/servers").statusCode(200);
        get(alice, "/api/v1/users/alice/options-form").statusCode(200);
        get(alice, "/api/v1/users/bob/servers").statusCode(403).body("error", equalTo("forbidden"))
                .body("message", equalTo("this credential reaches only the servers of alice"));
        get(alice, "/api/v1/servers").statusCode(403).body("error", equalTo("forbidden"));
        get(alice, "/api/v1/admin/orphans").statusCode(403);
        given().header("Authorization", "Bearer " + alice).contentType(ContentType.JSON).body(Map.of("startId", "kc-x"))
                .post("/api/v1/users/bob/servers/kc").then().statusCode(403);
    }

    @Test
    void aGenuineTokenWithoutEitherRoleIsForbidden() throws Exception {
        get(userToken("jupyterhub", "carol"), "/api/v1/users/carol/servers").statusCode(403)
                .body("error", equalTo("forbidden")).body("message", containsString("neither the role hub"));
    }

    @Test
    void theRealmKeySignsAcceptedTokens() throws Exception {
        // the control for the one-claim changes below: re-signed unchanged, the token is accepted
        get(aliceTokenWith(claims -> { }, realmKey()), "/api/v1/users/alice/servers").statusCode(200);
    }

    // --- what is refused -------------------------------------------------------------------------

    @Test
    void aTokenForAnotherAudienceIs401() throws Exception {
        String serviceAccount = token(Map.of("grant_type", "client_credentials", "client_id", "hpcspawner-service",
                "client_secret", realm.secretOf("hpcspawner-service")));
        assertThat(part(serviceAccount, 1).path("aud").asText()).isEqualTo("account");
        refused(serviceAccount, "audience");
        refused(aliceTokenWith(c -> c.put("aud", "another-service"), realmKey()), "audience");
    }

    @Test
    void anExpiredTokenIs401() throws Exception {
        refused(aliceTokenWith(c -> c.put("exp", Instant.now().minusSeconds(120).getEpochSecond()), realmKey()), "expired");
        String shortLived = userToken("jupyterhub-short-token", "alice");
        get(shortLived, "/api/v1/users/alice/servers").statusCode(200);
        Thread.sleep(Duration.ofSeconds(part(shortLived, 1).path("exp").asLong() - Instant.now().getEpochSecond() + 2).toMillis());
        refused(shortLived, "expired");
    }

    @Test
    void aTokenFromAnotherIssuerIs401() throws Exception {
        refused(aliceTokenWith(c -> c.put("iss", "http://127.0.0.1:8180/realms/another"), realmKey()), "issuer");
    }

    @Test
    void aTokenSignedWithAnotherKeyIs401() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        refused(aliceTokenWith(claims -> { }, rsa.generateKeyPair().getPrivate()), "signature");
    }

    // --- JupyterHub's tokens, in the same run ----------------------------------------------------

    @Test
    void jupyterHubTokensStillWork() {
        get(HUB_TOKEN, "/api/v1/servers").statusCode(200);
        get(AuthorizationMatrixTest.SCOPED, "/api/v1/users/alice/servers").statusCode(200);
        get(AuthorizationMatrixTest.SCOPED, "/api/v1/users/bob/servers").statusCode(403);
        get(AuthorizationMatrixTest.NO_SCOPE, "/api/v1/users/alice/servers").statusCode(403).body("error", equalTo("missing_scope"));
        get("test-alice-token", "/api/v1/users/alice/servers").statusCode(200);
        get("an-unknown-token", "/api/v1/users/alice/servers").statusCode(401).body("error", equalTo("unauthorized"));
        get("a.b.c", "/api/v1/users/alice/servers").statusCode(401).body("error", equalTo("unauthorized"));
    }
}
