package io.hpcspawner.api;

import java.util.Optional;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Why quarkus-oidc refused a Keycloak token, in words for the 401's message: expired, another
 * audience, another issuer, or a signature the realm's keys do not verify. Found in the cause
 * chain of the failure (jose4j's verdict); none when the failure says nothing more.
 */
final class KeycloakRefusal {

    private KeycloakRefusal() {
    }

    static Optional<String> reason(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof InvalidJwtException jwt) {
                return Optional.of(reason(jwt));
            }
            if (c instanceof UnresolvableKeyException) {
                return Optional.of("it is signed with a key the realm does not publish");
            }
        }
        return Optional.empty();
    }

    private static String reason(InvalidJwtException jwt) {
        if (jwt.hasExpired()) {
            return "it has expired; get a new one from Keycloak";
        }
        if (jwt.hasErrorCode(ErrorCodes.AUDIENCE_INVALID) || jwt.hasErrorCode(ErrorCodes.AUDIENCE_MISSING)) {
            return "its audience (aud) does not name this service; Keycloak adds it with an audience mapper";
        }
        if (jwt.hasErrorCode(ErrorCodes.ISSUER_INVALID) || jwt.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            return "its issuer (iss) is not the realm this service trusts";
        }
        if (jwt.hasErrorCode(ErrorCodes.SIGNATURE_INVALID) || jwt.hasErrorCode(ErrorCodes.SIGNATURE_MISSING)) {
            return "its signature does not verify with the realm's keys";
        }
        return "it did not pass verification (signature, issuer, audience, expiry)";
    }
}
