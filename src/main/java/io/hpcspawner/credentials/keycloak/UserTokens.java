package io.hpcspawner.credentials.keycloak;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One user's tokens from the refresh token a login produced: does the refresh-token grant when
 * the access token runs short by the {@link TokenValidity} rule and hands every rotated refresh token to a
 * {@link RefreshTokenStore}. Thread-safe, and only one refresh runs at a time: with rotation,
 * two refreshes with the same token make Keycloak end the session. Once Keycloak says the login
 * is over, every call throws {@link LoginExpiredException} without asking again; build a new
 * instance from the next login's refresh token.
 */
public final class UserTokens {

    private static final Logger LOG = Logger.getLogger(UserTokens.class);

    private final TokenEndpoint endpoint;
    private final String user;
    private final RefreshTokenStore store;
    private final TokenValidity validity;
    private final RenewingToken token;
    private final Clock clock;
    private volatile String refreshToken; // changed only while the token renews (one thread)
    private volatile Instant loginExpiresAt;
    private volatile String endedBecause;

    /**
     * @param endpoint the client that issued {@code refreshToken} (Keycloak refuses any other)
     * @param store called with each new refresh token; if it throws, the new token is still used
     *        and the failure logged
     */
    public UserTokens(TokenEndpoint endpoint, String user, String refreshToken, RefreshTokenStore store,
            TokenValidity validity, Clock clock) {
        if (refreshToken == null || refreshToken.isEmpty()) {
            throw new IllegalArgumentException("no refresh token for user " + user);
        }
        this.endpoint = endpoint;
        this.user = user;
        this.refreshToken = refreshToken;
        this.store = store;
        this.validity = validity;
        this.token = new RenewingToken(clock);
        this.clock = clock;
    }

    public UserTokens(TokenEndpoint endpoint, String user, String refreshToken, RefreshTokenStore store) {
        this(endpoint, user, refreshToken, store, TokenValidity.DEFAULT, Clock.systemUTC());
    }

    /**
     * An access token for the user with more than {@link TokenValidity#required()} left.
     *
     * @throws LoginExpiredException when the user has to log in again
     * @throws KeycloakException for other failures (see {@link KeycloakException#isTransient()})
     */
    public String accessToken() {
        return token.get(this::refresh);
    }

    /** A new access token after the receiver refused {@code refused} (unless another caller renewed it already). */
    public String renewedAfterRefusal(String refused) {
        return token.renewedAfterRefusal(refused, this::refresh);
    }

    private CachedToken refresh(Instant now) {
        if (endedBecause != null) {
            throw new LoginExpiredException(endedBecause);
        }
        TokenResponse r;
        try {
            r = endpoint.refresh(refreshToken);
        } catch (LoginExpiredException e) {
            end(e.reason());
            throw e;
        }
        loginExpiresAt = r.refreshExpiresIn().map(now::plus).orElse(null);
        Optional<String> rotated = r.refreshToken().filter(n -> !n.equals(refreshToken));
        if (rotated.isPresent()) { // kept before the access token is judged: the old refresh token is spent
            refreshToken = rotated.get();
            keep(refreshToken);
        }
        CachedToken t = validity.issued(r, now, endpoint.clientId());
        LOG.debugf("refreshed the tokens of user %s (refresh token %s), access token expires %s", user,
                rotated.isPresent() ? "rotated" : "unchanged", t.expiresAt());
        return t;
    }

    private void end(String reason) {
        endedBecause = reason;
        token.clear();
        refreshToken = null;
        if (reason.startsWith("Maximum allowed refresh token reuse")) {
            LOG.warnf("the login of user %s has ended: Keycloak saw the refresh token used twice (was it refreshed"
                    + " elsewhere too? only one component may refresh a user's tokens)", user);
        } else {
            LOG.infof("the login of user %s has ended (Keycloak: %s)", user, reason);
        }
    }

    private void keep(String newRefreshToken) {
        try {
            store.store(user, newRefreshToken);
        } catch (RuntimeException e) {
            LOG.warnf("could not store the rotated refresh token of user %s (%s): the stored copy is now outdated"
                    + " and will be refused after a restart", user, e.getClass().getSimpleName());
        }
    }

    /**
     * Uses an access token that came with the login (e.g. the hub's copy) until it runs short,
     * which saves a refresh. Ignored when it is not a JWT with an expiry or is already short.
     */
    public void seed(String accessToken) {
        if (accessToken == null || accessToken.isEmpty() || endedBecause != null) {
            return;
        }
        Instant now = clock.instant();
        JwtClaims.of(accessToken).expiresAt().map(exp -> validity.held(accessToken, exp))
                .filter(t -> t.fresh(now)).ifPresent(token::offer);
    }

    /** The refresh token in use, for comparing it with one offered later; null once the login ended. */
    String refreshToken() {
        return refreshToken;
    }

    public String user() {
        return user;
    }

    /** When the current refresh token expires (the session's idle or maximum time), once known. */
    public Optional<Instant> loginExpiresAt() {
        return Optional.ofNullable(loginExpiresAt);
    }

    /** False once Keycloak has said the login is over. */
    public boolean active() {
        return endedBecause == null;
    }

    @Override
    public String toString() {
        return "UserTokens[" + user + " via " + endpoint.clientId() + (active() ? "" : ", ended") + "]";
    }
}
