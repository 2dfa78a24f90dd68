package io.hpcspawner.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.stream.StreamSupport;

/** The test realm {@code src/test/resources/keycloak/hpcspawner-realm.json}: its clients' secrets, users' passwords and signing key. */
public final class TestRealm {

    private final JsonNode realm;

    private TestRealm(JsonNode realm) {
        this.realm = realm;
    }

    public static TestRealm load() {
        try (InputStream in = TestRealm.class.getResourceAsStream("/keycloak/hpcspawner-realm.json")) {
            return new TestRealm(new ObjectMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode named(JsonNode list, String field, String name) {
        return StreamSupport.stream(list.spliterator(), false).filter(n -> name.equals(n.path(field).asText()))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no " + name + " in the realm file"));
    }

    public String secretOf(String clientId) {
        return named(realm.path("clients"), "clientId", clientId).path("secret").asText();
    }

    public String passwordOf(String user) {
        return named(realm.path("users"), "username", user).path("credentials").path(0).path("value").asText();
    }

    /** The realm's RSA signing key (PKCS#8, base64), a test value: tests sign tokens Keycloak's JWKS verifies. */
    public String signingKey() {
        return named(realm.path("components").path("org.keycloak.keys.KeyProvider"), "name", "rsa-test-key")
                .path("config").path("privateKey").path(0).asText();
    }
}
