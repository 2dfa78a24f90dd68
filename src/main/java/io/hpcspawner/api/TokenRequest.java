package io.hpcspawner.api;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The token of an {@code Authorization: Bearer} (or {@code token}) header, waiting to be checked. */
final class TokenRequest extends BaseAuthenticationRequest {

    private final String token;

    TokenRequest(String token) {
        this.token = token;
    }

    String token() {
        return token;
    }
}
