package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks bearer tokens the way FirecREST does: an RS256 signature by one of the realm's keys
 * (fetched from the real Keycloak's JWKS endpoint, refetched for an unknown key id), the issuer,
 * and at least 30 s of life left. For the FirecREST simulator of the end-to-end suite.
 */
final class KeycloakSignatures {

    /** FirecREST v2 refuses tokens that expire within this time. */
    static final Duration MIN_LIFE_LEFT = Duration.ofSeconds(30);
    /** FirecREST's words for such a token (HTTP 401), as recorded from a real server. */
    static final String EXPIRES_TOO_SOON = "Access token expires too soon (less than 30s remaining)";

    /** The checked claims of a token, or why it was refused. */
    record Verdict(JsonNode claims, String refusal) {
        boolean ok() {
            return refusal == null;
        }
    }

    private final String issuer;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, PublicKey> keys = new ConcurrentHashMap<>();

    KeycloakSignatures(String issuer) {
        this.issuer = issuer;
    }

    Verdict check(String authorization, Instant now) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return new Verdict(null, "no bearer token");
        }
        String[] parts = authorization.substring("Bearer ".length()).split("\\.");
        if (parts.length != 3) {
            return new Verdict(null, "not a JWT");
        }
        try {
            Base64.Decoder b64 = Base64.getUrlDecoder();
            JsonNode header = json.readTree(b64.decode(parts[0]));
            JsonNode claims = json.readTree(b64.decode(parts[1]));
            if (!"RS256".equals(header.path("alg").asText())) {
                return new Verdict(claims, "unexpected algorithm " + header.path("alg").asText());
            }
            PublicKey key = key(header.path("kid").asText());
            if (key == null) {
                return new Verdict(claims, "signed by an unknown key");
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initVerify(key);
            rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!rsa.verify(b64.decode(parts[2]))) {
                return new Verdict(claims, "bad signature");
            }
            if (!issuer.equals(claims.path("iss").asText())) {
                return new Verdict(claims, "issued by " + claims.path("iss").asText() + ", not " + issuer);
            }
            long left = claims.path("exp").asLong() - now.getEpochSecond();
            if (left < MIN_LIFE_LEFT.toSeconds()) {
                return new Verdict(claims, EXPIRES_TOO_SOON);
            }
            return new Verdict(claims, null);
        } catch (Exception e) {
            return new Verdict(null, "unreadable token (" + e.getClass().getSimpleName() + ")");
        }
    }

    private PublicKey key(String kid) throws Exception {
        PublicKey key = keys.get(kid);
        if (key == null) {
            refresh();
            key = keys.get(kid);
        }
        return key;
    }

    private synchronized void refresh() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(issuer + "/protocol/openid-connect/certs"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        JsonNode jwks = json.readTree(http.send(request, HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode k : jwks.path("keys")) {
            if ("RSA".equals(k.path("kty").asText()) && "sig".equals(k.path("use").asText("sig"))) {
                keys.put(k.path("kid").asText(), rsa(k.path("n").asText(), k.path("e").asText()));
            }
        }
    }

    private static PublicKey rsa(String n, String e) throws GeneralSecurityException {
        Base64.Decoder b64 = Base64.getUrlDecoder();
        return KeyFactory.getInstance("RSA").generatePublic(
                new RSAPublicKeySpec(new BigInteger(1, b64.decode(n)), new BigInteger(1, b64.decode(e))));
    }
}
