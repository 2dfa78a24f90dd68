package io.hpcspawner.api;

import java.time.Duration;
import java.util.Optional;

/** An API answer other than success, with its HTTP status and stable error code. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String field;
    private Duration retryAfter;

    ApiException(int status, String code, String message, String field) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, "unauthorized", message, null);
    }

    static ApiException forbidden(String message) {
        return new ApiException(403, "forbidden", message, null);
    }

    static ApiException badRequest(String code, String message, String field) {
        return new ApiException(400, code, message, field);
    }

    /** Asks the caller to wait this long before trying again ({@code Retry-After}). */
    ApiException retryAfter(Duration wait) {
        this.retryAfter = wait;
        return this;
    }

    Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    String field() {
        return field;
    }
}
