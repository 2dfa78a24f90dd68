package io.hpcspawner.credentials;

import java.time.Duration;

/**
 * A JupyterHub token could not be checked now, so it is neither accepted nor refused: the hub did
 * not answer in time (or answered with an error), or too many unknown tokens are being checked.
 * The caller may try again after {@link #retryAfter()}.
 */
public class TokenCheckUnavailable extends RuntimeException {

    private final Duration retryAfter;
    private final boolean rateLimited;

    TokenCheckUnavailable(String message, Duration retryAfter, boolean rateLimited) {
        super(message);
        this.retryAfter = retryAfter;
        this.rateLimited = rateLimited;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /** True when the check was refused by the rate limit (no call to the hub was made). */
    public boolean rateLimited() {
        return rateLimited;
    }
}
