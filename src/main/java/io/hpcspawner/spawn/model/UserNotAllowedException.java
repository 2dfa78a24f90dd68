package io.hpcspawner.spawn.model;

/** A hub user who may not run jobs on a cluster (answered 403 with the reason). */
public class UserNotAllowedException extends RuntimeException {

    public UserNotAllowedException(String message) {
        super(message);
    }
}
