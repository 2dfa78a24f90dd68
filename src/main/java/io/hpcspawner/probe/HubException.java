package io.hpcspawner.probe;

/** The hub refused a call of the check, or could not be reached; the message says which and why. */
public class HubException extends RuntimeException {

    public HubException(String message) {
        super(message);
    }
}
