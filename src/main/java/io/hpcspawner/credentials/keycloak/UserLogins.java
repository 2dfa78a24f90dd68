package io.hpcspawner.credentials.keycloak;

import io.hpcspawner.credentials.LoginKeeper;
import io.hpcspawner.credentials.UserLogin;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * Every user's Keycloak login as the service holds it: one {@link UserTokens} per identity,
 * built from the refresh token the hub passed with a create or stop, its rotations kept
 * encrypted in a {@link SealedTokenStore} so they survive a restart. The service is the only
 * component that refreshes a token it holds; an offered refresh token replaces the held one only
 * when it is newer (a new session, or issued later), so a hub that still has an older copy cannot
 * roll the service back to a token Keycloak has revoked. Thread-safe.
 */
public final class UserLogins implements LoginKeeper {

    private static final Logger LOG = Logger.getLogger(UserLogins.class);

    private final TokenEndpoint endpoint;
    private final TokenKeyRing keys;
    private final SealedTokenStore store;
    private final Duration margin;
    private final Clock clock;
    private final ConcurrentMap<String, UserTokens> held = new ConcurrentHashMap<>();

    /** @param endpoint the client that issued the users' tokens (the hub's login client) */
    public UserLogins(TokenEndpoint endpoint, TokenKeyRing keys, SealedTokenStore store, Duration margin, Clock clock) {
        this.endpoint = endpoint;
        this.keys = keys;
        this.store = store;
        this.margin = margin;
        this.clock = clock;
    }

    @Override
    public void remember(String identity, UserLogin login) {
        held.compute(identity, (id, tokens) -> {
            UserTokens current = tokens != null ? tokens : load(id).orElse(null);
            String currentRefresh = current == null ? null : current.refreshToken();
            if (current != null && current.active() && currentRefresh != null
                    && (currentRefresh.equals(login.refreshToken())
                            || !JwtClaims.of(login.refreshToken()).newerThan(JwtClaims.of(currentRefresh)))) {
                login.accessToken().ifPresent(current::seed);
                return current;
            }
            UserTokens fresh = new UserTokens(endpoint, id, login.refreshToken(), this::seal, margin, clock);
            login.accessToken().ifPresent(fresh::seed);
            try {
                seal(id, login.refreshToken());
            } catch (RuntimeException e) {
                LOG.warnf("could not store the login of %s (%s): it is held in memory only and lost on a restart",
                        id, e.getClass().getSimpleName());
            }
            LOG.debugf("took a new login for %s", id);
            return fresh;
        });
    }

    @Override
    public boolean knows(String identity) {
        return tokens(identity).map(UserTokens::active).orElse(false);
    }

    /**
     * An access token acting as {@code identity}.
     *
     * @throws LoginExpiredException when no login is known or Keycloak says it is over
     * @throws KeycloakException when Keycloak cannot be asked (transient) or refuses the client
     */
    public String accessToken(String identity) {
        return tokens(identity).orElseThrow(() -> new LoginExpiredException("the service holds no login for " + identity
                + ": the hub passes the tokens with each start (enable_auth_state in the authenticator)"))
                .accessToken();
    }

    private Optional<UserTokens> tokens(String identity) {
        UserTokens t = held.get(identity);
        if (t != null) {
            return Optional.of(t);
        }
        return Optional.ofNullable(held.computeIfAbsent(identity, id -> load(id).orElse(null)));
    }

    private Optional<UserTokens> load(String identity) {
        Optional<String> sealed = store.read(identity);
        if (sealed.isEmpty()) {
            return Optional.empty();
        }
        TokenKeyRing.Opened opened;
        try {
            opened = keys.open(sealed.get(), identity);
        } catch (TokenCipher.DecryptionException e) {
            LOG.warnf("the stored login of %s cannot be used (%s; was a token encryption key removed?):"
                    + " it is dropped and the user's next start brings a new one", identity, e.getMessage());
            store.delete(identity);
            return Optional.empty();
        }
        if (opened.sealedWithOlderKey()) {
            try {
                seal(identity, opened.token());
                LOG.debugf("sealed the login of %s again with the newest key", identity);
            } catch (RuntimeException e) {
                LOG.warnf("could not seal the login of %s again with the newest key (%s): it stays sealed with the"
                        + " older one, so keep that key in previous-token-encryption-keys", identity, e.getClass().getSimpleName());
            }
        }
        return Optional.of(new UserTokens(endpoint, identity, opened.token(), this::seal, margin, clock));
    }

    private void seal(String identity, String refreshToken) {
        store.write(identity, keys.seal(refreshToken, identity));
    }

    @Override
    public String toString() {
        return "UserLogins[" + held.size() + " held, via " + endpoint.clientId() + "]";
    }
}
