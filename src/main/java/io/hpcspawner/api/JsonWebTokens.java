package io.hpcspawner.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Base64;

/**
 * Tells a JWT (three base64url parts, the first a JSON header naming its {@code alg}) from the
 * opaque tokens JupyterHub and the static settings use. Says nothing about whether it is genuine:
 * quarkus-oidc decides that.
 */
final class JsonWebTokens {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonWebTokens() {
    }

    static boolean looksLikeOne(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return false;
        }
        try {
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            return header != null && header.isObject() && header.path("alg").isTextual();
        } catch (IllegalArgumentException | IOException notBase64UrlJson) {
            return false;
        }
    }
}
