package io.hpcspawner.credentials.keycloak;

import io.hpcspawner.credentials.LoginKeeper;
import io.hpcspawner.credentials.UserLogin;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
    private final TokenValidity validity;
    private final Clock clock;
    private final ConcurrentMap<String, UserTokens> held = new ConcurrentHashMap<>();

    /** @param endpoint the client that issued the users' tokens (the hub's login client) */
    public UserLogins(TokenEndpoint endpoint, TokenKeyRing keys, SealedTokenStore store, TokenValidity validity,
            Clock clock) {
        this.endpoint = endpoint;
        this.keys = keys;
        this.store = store;
        this.validity = validity;
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
            UserTokens fresh = new UserTokens(endpoint, id, login.refreshToken(), this::seal, validity, clock);
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

    /**
     * A new access token for {@code identity} after the receiver refused {@code refused}.
     *
     * @throws LoginExpiredException when no login is known or Keycloak says it is over
     * @throws KeycloakException when Keycloak cannot be asked (transient) or refuses the client
     */
    public String renewedAccessToken(String identity, String refused) {
        return tokens(identity).orElseThrow(() -> new LoginExpiredException("the service holds no login for " + identity))
                .renewedAfterRefusal(refused);
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
        return Optional.of(new UserTokens(endpoint, identity, opened.token(), this::seal, validity, clock));
    }

    /** What {@link #resealStored()} found: stored logins, how many it sealed again, how many no key opens. */
    public record StoredLogins(int stored, int resealed, int unopenable) {
    }

    /**
     * Seals every stored login that an older key (or the format before key ids) sealed again with
     * the newest key, so that the older key can be removed once this has run. A login no key opens
     * is counted and kept, not dropped: a previous key left out of the configuration by mistake
     * must not log everyone out at once (such a login is dropped when its user next starts).
     * Logs one summary line when there was something to do.
     */
    public StoredLogins resealStored() {
        Set<String> identities = store.identities();
        int resealed = 0;
        List<String> unopenable = new ArrayList<>();
        for (String identity : identities) {
            boolean[] sealedAgain = {false};
            // under the map's lock for this identity: a concurrent remember() cannot be overwritten
            held.compute(identity, (id, current) -> {
                if (current == null) {
                    store.read(id).ifPresent(sealed -> {
                        try {
                            TokenKeyRing.Opened opened = keys.open(sealed, id);
                            if (opened.sealedWithOlderKey()) {
                                seal(id, opened.token());
                                sealedAgain[0] = true;
                            }
                        } catch (TokenCipher.DecryptionException e) {
                            unopenable.add(id + " (" + e.getMessage() + ")");
                        } catch (RuntimeException e) {
                            LOG.warnf("could not seal the login of %s again (%s): it stays sealed with the older key",
                                    id, e.getClass().getSimpleName());
                        }
                    });
                }
                return current;
            });
            resealed += sealedAgain[0] ? 1 : 0;
        }
        if (resealed > 0) {
            LOG.infof("sealed %d of %d stored logins again with the newest key (%s)", resealed, identities.size(), keys);
        }
        if (!unopenable.isEmpty()) {
            LOG.warnf("%d stored login(s) open with no key of the ring and are dropped when their users next start,"
                    + " e.g. %s; add the missing key to previous-token-encryption-keys to keep them", unopenable.size(),
                    unopenable.get(0));
        }
        return new StoredLogins(identities.size(), resealed, unopenable.size());
    }

    private void seal(String identity, String refreshToken) {
        store.write(identity, keys.seal(refreshToken, identity));
    }

    @Override
    public String toString() {
        return "UserLogins[" + held.size() + " held, via " + endpoint.clientId() + "]";
    }
}
