package io.hpcspawner.api;

/** Who is calling: the hub (reaches everything) or one user (reaches only their own servers). */
public record Caller(String user, boolean hub) {

    static Caller theHub() {
        return new Caller(null, true);
    }

    static Caller user(String name) {
        return new Caller(name, false);
    }

    boolean mayAccess(String owner) {
        return hub || owner.equals(user);
    }
}
