package io.hpcspawner.spawn.model;

/** The request contradicts the server's current state (e.g. a second start while one is active). */
public class ConflictException extends RuntimeException {

    private final String code;

    public ConflictException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
