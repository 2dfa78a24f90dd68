package io.hpcspawner.credentials.secrets;

/** A configured secret could not be read; the message names where it was looked for, never a value. */
public final class SecretUnavailableException extends RuntimeException {

    public SecretUnavailableException(String message) {
        super(message);
    }
}
