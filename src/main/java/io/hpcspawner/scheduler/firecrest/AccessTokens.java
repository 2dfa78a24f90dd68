package io.hpcspawner.scheduler.firecrest;

/**
 * Bearer tokens for FirecREST calls. FirecREST v2 rejects a token with less than 30 s left
 * ({@code min_token_ttl}), so implementations hand out tokens with more than that plus a margin
 * left ({@link io.hpcspawner.credentials.keycloak.TokenValidity}); after a 401 the caller asks
 * once for a renewed token. When no
 * token can be had they throw a {@link io.hpcspawner.spawn.port.SchedulerException}: transient if
 * the identity provider is unreachable, not transient if the user has to log in again. Tokens are
 * secrets: never log them.
 */
public interface AccessTokens {

    /** A token acting as {@code user}: submit, cancel, reading the job's files, user info. */
    String forUser(String user);

    /** The service account's token: polling every user's jobs, listing partitions. */
    String forService();

    /** A new token for {@code user} after FirecREST refused {@code refused} with 401. */
    String renewedForUser(String user, String refused);

    /** A new service-account token after FirecREST refused {@code refused} with 401. */
    String renewedForService(String refused);
}
