package io.hpcspawner.scheduler.firecrest;

/**
 * The token one FirecREST call carries, and a new one when FirecREST refused it with 401 (renewed
 * once per call: a second 401 is a real refusal). Never log what it returns.
 */
interface Bearer {

    String token();

    /** A token to send instead of {@code refused}. */
    String renewed(String refused);

    /** The user's own token (submit, cancel, files, user info). */
    static Bearer user(AccessTokens tokens, String user) {
        return new Bearer() {
            @Override
            public String token() {
                return tokens.forUser(user);
            }

            @Override
            public String renewed(String refused) {
                return tokens.renewedForUser(user, refused);
            }
        };
    }

    /** The service account's token (listings, partitions, health). */
    static Bearer service(AccessTokens tokens) {
        return new Bearer() {
            @Override
            public String token() {
                return tokens.forService();
            }

            @Override
            public String renewed(String refused) {
                return tokens.renewedForService(refused);
            }
        };
    }
}
