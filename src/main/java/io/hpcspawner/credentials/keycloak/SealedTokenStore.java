package io.hpcspawner.credentials.keycloak;

import java.util.Optional;
import java.util.Set;

/**
 * Durable storage of users' refresh tokens, already encrypted ({@link TokenCipher}) when they
 * get here, so a restart of the service does not make every user log in again.
 */
public interface SealedTokenStore {

    Optional<String> read(String identity);

    /** Returns once the value would survive a crash. */
    void write(String identity, String sealed);

    void delete(String identity);

    /** Every identity with a stored login (e.g. to seal them all again after a key rotation). */
    Set<String> identities();
}
