package io.hpcspawner.scheduler.firecrest;

import io.hpcspawner.credentials.keycloak.KeycloakException;
import io.hpcspawner.credentials.keycloak.LoginExpiredException;
import io.hpcspawner.credentials.keycloak.ServiceAccountTokens;
import io.hpcspawner.credentials.keycloak.UserLogins;
import io.hpcspawner.credentials.secrets.SecretUnavailableException;
import io.hpcspawner.spawn.port.LoginRequiredException;
import io.hpcspawner.spawn.port.SchedulerException;
import java.util.function.Supplier;

/**
 * FirecREST's bearer tokens from Keycloak: the user's own (refreshed from the login the hub passed
 * on) for acting as the user, the service account's for polling. A login that is over becomes a
 * non-transient failure whose message tells the user to log in again; Keycloak being down is
 * transient, so the watcher keeps its servers and retries.
 */
public final class KeycloakAccessTokens implements AccessTokens {

    private final UserLogins users;
    private final ServiceAccountTokens service;

    public KeycloakAccessTokens(UserLogins users, ServiceAccountTokens service) {
        this.users = users;
        this.service = service;
    }

    @Override
    public String forUser(String user) {
        return fetch(() -> users.accessToken(user), "a token for " + user);
    }

    @Override
    public String forService() {
        return fetch(service::accessToken, "the service account's token");
    }

    @Override
    public String renewedForUser(String user, String refused) {
        return fetch(() -> users.renewedAccessToken(user, refused), "a new token for " + user);
    }

    @Override
    public String renewedForService(String refused) {
        return fetch(() -> service.renewedAfterRefusal(refused), "a new service-account token");
    }

    private static String fetch(Supplier<String> token, String what) {
        try {
            return token.get();
        } catch (LoginExpiredException e) {
            throw new LoginRequiredException(e.getMessage(), e);
        } catch (KeycloakException e) {
            throw new SchedulerException("could not get " + what + " from Keycloak: " + e.getMessage(), e.isTransient(), e);
        } catch (SecretUnavailableException e) {
            // the client secret lives in Vault or a file that cannot be read right now
            throw new SchedulerException("could not get " + what + ": " + e.getMessage(), true, e);
        }
    }
}
