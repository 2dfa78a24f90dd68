package io.hpcspawner.credentials.keycloak;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * A {@link TokenEndpoint} whose grants are counted: {@code hpcspawner_token_refreshes_total{client,outcome}},
 * {@code client} the realm client ({@code user}: users' refresh tokens, {@code service}: the service
 * account's client credentials), {@code outcome} one of {@code ok}, {@code expired} (the login is over),
 * {@code unavailable} (Keycloak did not answer), {@code misconfigured} (it refused the client) or
 * {@code error}. Every series is registered at zero.
 */
public final class MeteredTokenEndpoint implements TokenEndpoint {

    static final String[] OUTCOMES = {"ok", "expired", "unavailable", "misconfigured", "error"};

    private final TokenEndpoint delegate;
    private final String client;
    private final MeterRegistry meters;

    public MeteredTokenEndpoint(TokenEndpoint delegate, String client, MeterRegistry meters) {
        this.delegate = delegate;
        this.client = client;
        this.meters = meters;
        for (String outcome : OUTCOMES) {
            counter(outcome);
        }
    }

    @Override
    public TokenResponse clientCredentials() {
        return counted(delegate::clientCredentials);
    }

    @Override
    public TokenResponse refresh(String refreshToken) {
        return counted(() -> delegate.refresh(refreshToken));
    }

    @Override
    public String clientId() {
        return delegate.clientId();
    }

    private TokenResponse counted(Supplier<TokenResponse> grant) {
        try {
            TokenResponse answer = grant.get();
            counter("ok").increment();
            return answer;
        } catch (RuntimeException e) {
            counter(outcome(e)).increment();
            throw e;
        }
    }

    static String outcome(RuntimeException e) {
        if (e instanceof LoginExpiredException) {
            return "expired";
        }
        if (e instanceof KeycloakUnavailableException) {
            return "unavailable";
        }
        return e instanceof KeycloakConfigurationException ? "misconfigured" : "error";
    }

    private Counter counter(String outcome) {
        return Counter.builder("hpcspawner.token.refreshes").description("Token grants asked of Keycloak, by outcome")
                .tag("client", client).tag("outcome", outcome).register(meters);
    }
}
