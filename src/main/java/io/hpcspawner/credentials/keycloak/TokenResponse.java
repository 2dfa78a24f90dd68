package io.hpcspawner.credentials.keycloak;

import java.time.Duration;
import java.util.Optional;

/**
 * A successful answer of the token endpoint. Lifetimes are relative: the caller adds them to the
 * instant it sent the request. {@link #toString()} shows no token.
 */
public record TokenResponse(String accessToken, Duration expiresIn, Optional<String> refreshToken,
        Optional<Duration> refreshExpiresIn) {

    @Override
    public String toString() {
        return "TokenResponse[expiresIn=" + expiresIn + ", refreshToken=" + (refreshToken.isPresent() ? "present" : "none")
                + ", refreshExpiresIn=" + refreshExpiresIn.map(Duration::toString).orElse("-") + "]";
    }
}
