package io.hpcspawner.credentials.secrets;

import java.util.function.Supplier;

/**
 * A secret read from somewhere that can change (Vault, a mounted file). {@link #get()} is cheap
 * (cached); {@link #invalidate()} makes the next {@code get()} read the source again, for a caller
 * that was just told the value is wrong (e.g. Keycloak answered {@code invalid_client} after a rotation).
 */
public interface RefreshableSecret extends Supplier<String> {

    void invalidate();
}
