package io.hpcspawner.credentials;

/**
 * Keeps users' logins so the service can act as them later (submit, cancel, read job output).
 * {@code identity} is the name the scheduler knows the user by. {@link #NONE} is for backends
 * that need no user tokens (slurmrestd mints its own).
 */
public interface LoginKeeper {

    /** Takes a login the hub passed on; an older login than the one held is ignored. */
    void remember(String identity, UserLogin login);

    /** Whether a login that has not ended is known for {@code identity}. */
    boolean knows(String identity);

    /** Keeps nothing: for deployments where no backend acts with user tokens. */
    LoginKeeper NONE = new LoginKeeper() {
        @Override
        public void remember(String identity, UserLogin login) {
        }

        @Override
        public boolean knows(String identity) {
            return false;
        }

        @Override
        public String toString() {
            return "LoginKeeper.NONE";
        }
    };
}
