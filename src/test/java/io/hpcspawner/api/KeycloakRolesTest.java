package io.hpcspawner.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import io.hpcspawner.support.TestConfigs;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.ErrorCodeValidator.Error;
import io.quarkus.security.AuthenticationFailedException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The role mapping of Keycloak tokens, telling a JWT from other tokens, and the words of a refusal; no Keycloak needed. */
class KeycloakRolesTest {

    private final KeycloakRoles roles = new KeycloakRoles("hub", "user", "preferred_username");

    @Test
    void theHubRoleMakesTheHubWhateverTheUserName() {
        assertThat(roles.caller(Set.of("hub", "user"), Optional.of("service-account-jupyterhub-api"))).isEqualTo(Caller.theHub());
        assertThat(roles.caller(Set.of("hub"), Optional.empty())).isEqualTo(Caller.theHub());
    }

    @Test
    void theUserRoleMakesTheNamedUser() {
        assertThat(roles.caller(Set.of("user", "offline_access"), Optional.of("alice"))).isEqualTo(Caller.user("alice"));
    }

    @Test
    void otherRolesGrantNothing() {
        assertThatThrownBy(() -> roles.caller(Set.of("offline_access", "admin"), Optional.of("carol")))
                .isInstanceOfSatisfying(ApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("neither the role hub", "nor user");
                });
    }

    @Test
    void aUserTokenMustNameItsUser() {
        for (Optional<String> none : List.of(Optional.<String>empty(), Optional.of(" "))) {
            assertThatThrownBy(() -> roles.caller(Set.of("user"), none)).isInstanceOfSatisfying(ApiException.class,
                    e -> assertThat(e.getMessage()).contains("no claim preferred_username"));
        }
    }

    @Test
    void theRolesAndClaimAreReadFromTheServicesConfiguration() {
        assertThat(KeycloakRoles.of(TestConfigs.from(TestConfigs.minimal()).auth().keycloak())).as("the defaults")
                .isEqualTo(roles);
        Map<String, String> site = TestConfigs.minimal();
        site.put("hpcspawner.auth.keycloak.hub-role", "spawner-admin");
        site.put("hpcspawner.auth.keycloak.user-role", "spawner-user");
        site.put("hpcspawner.auth.keycloak.user-name-claim", "sub");
        assertThat(KeycloakRoles.of(TestConfigs.from(site).auth().keycloak()))
                .isEqualTo(new KeycloakRoles("spawner-admin", "spawner-user", "sub"));
    }

    @Test
    void theRolesAreTheSitesChoice() {
        KeycloakRoles site = new KeycloakRoles("spawner-admin", "spawner-user", "sub");
        assertThat(site.caller(Set.of("spawner-admin"), Optional.empty())).isEqualTo(Caller.theHub());
        assertThat(site.caller(Set.of("spawner-user"), Optional.of("alice"))).isEqualTo(Caller.user("alice"));
        assertThatThrownBy(() -> site.caller(Set.of("hub", "user"), Optional.of("alice"))).isInstanceOf(ApiException.class);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aJwtIsThreePartsWithAJsonHeaderNamingItsAlgorithm() {
        assertThat(JsonWebTokens.looksLikeOne(b64("{\"alg\":\"RS256\",\"typ\":\"JWT\"}") + "." + b64("{}") + ".c2ln")).isTrue();
        assertThat(JsonWebTokens.looksLikeOne("test-hub-token-0123456789abcdef0123456789")).isFalse();
        assertThat(JsonWebTokens.looksLikeOne("0123456789abcdef0123456789abcdef")).isFalse();
        assertThat(JsonWebTokens.looksLikeOne("a.b.c")).isFalse();
        assertThat(JsonWebTokens.looksLikeOne(b64("{\"typ\":\"JWT\"}") + "." + b64("{}") + ".c2ln")).isFalse();
        assertThat(JsonWebTokens.looksLikeOne(b64("[1]") + "." + b64("{}") + ".c2ln")).isFalse();
        assertThat(JsonWebTokens.looksLikeOne(b64("{\"alg\":\"RS256\"}") + "." + b64("{}"))).isFalse();
    }

    private static AuthenticationFailedException refusedFor(int code) {
        return new AuthenticationFailedException(new InvalidJwtException("refused", List.of(new Error(code, "x")), null));
    }

    @Test
    void aRefusalSaysWhichCheckFailed() {
        assertThat(KeycloakRefusal.reason(refusedFor(ErrorCodes.EXPIRED))).hasValueSatisfying(r -> assertThat(r).contains("expired"));
        assertThat(KeycloakRefusal.reason(refusedFor(ErrorCodes.AUDIENCE_INVALID))).hasValueSatisfying(r -> assertThat(r).contains("audience"));
        assertThat(KeycloakRefusal.reason(refusedFor(ErrorCodes.ISSUER_INVALID))).hasValueSatisfying(r -> assertThat(r).contains("issuer"));
        assertThat(KeycloakRefusal.reason(refusedFor(ErrorCodes.SIGNATURE_INVALID))).hasValueSatisfying(r -> assertThat(r).contains("signature"));
        assertThat(KeycloakRefusal.reason(refusedFor(ErrorCodes.MALFORMED_CLAIM))).hasValueSatisfying(r -> assertThat(r).contains("verification"));
        assertThat(KeycloakRefusal.reason(new AuthenticationFailedException("no reason"))).isEmpty();
    }

    @Test
    void keycloakTokensWithoutAnAudienceRefuseToStart() {
        assertThatThrownBy(() -> new KeycloakIdentityAugmentor(roles, true, Optional.empty()).audienceRequired(null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("quarkus.oidc.token.audience");
        assertThatThrownBy(() -> new KeycloakIdentityAugmentor(roles, true, Optional.of(List.of())).audienceRequired(null))
                .isInstanceOf(IllegalStateException.class);
        new KeycloakIdentityAugmentor(roles, true, Optional.of(List.of("hpcspawner-api"))).audienceRequired(null);
        new KeycloakIdentityAugmentor(roles, false, Optional.empty()).audienceRequired(null); // off: nothing to check
    }
}
