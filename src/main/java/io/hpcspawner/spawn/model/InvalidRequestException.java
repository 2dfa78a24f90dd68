package io.hpcspawner.spawn.model;

/** A caller sent something the service cannot accept; carries a stable error code and the field at fault. */
public class InvalidRequestException extends RuntimeException {

    private final String code;
    private final String field;

    public InvalidRequestException(String code, String field, String message) {
        super(message);
        this.code = code;
        this.field = field;
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }
}
