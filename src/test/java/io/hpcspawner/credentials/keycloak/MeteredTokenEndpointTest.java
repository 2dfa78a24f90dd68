package io.hpcspawner.credentials.keycloak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The token panel of the dashboard: every grant asked of Keycloak counted by client and outcome. */
class MeteredTokenEndpointTest {

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final Deque<Supplier<TokenResponse>> answers = new ArrayDeque<>();
    final TokenEndpoint keycloak = new TokenEndpoint() {
        @Override
        public TokenResponse clientCredentials() {
            return answers.pop().get();
        }

        @Override
        public TokenResponse refresh(String refreshToken) {
            return answers.pop().get();
        }

        @Override
        public String clientId() {
            return "hpcspawner";
        }
    };

    @Test
    void refreshesAreCountedByOutcomeAndFailuresStillReachTheCaller() {
        MeteredTokenEndpoint user = new MeteredTokenEndpoint(keycloak, "user", meters);
        answers.add(() -> new TokenResponse("at", Duration.ofMinutes(5), Optional.of("rt"), Optional.empty()));
        answers.add(() -> {
            throw new LoginExpiredException("Session not active");
        });
        answers.add(() -> {
            throw new KeycloakUnavailableException("Keycloak timed out", null);
        });

        assertThat(user.refresh("rt0").accessToken()).isEqualTo("at");
        assertThat(catchThrowable(() -> user.refresh("rt"))).isInstanceOf(LoginExpiredException.class);
        assertThat(catchThrowable(() -> user.refresh("rt"))).isInstanceOf(KeycloakUnavailableException.class);

        assertThat(count("ok")).isEqualTo(1);
        assertThat(count("expired")).isEqualTo(1);
        assertThat(count("unavailable")).isEqualTo(1);
        assertThat(count("misconfigured")).isZero();
        assertThat(user.clientId()).isEqualTo("hpcspawner");
    }

    private double count(String outcome) {
        return meters.find("hpcspawner.token.refreshes").tags("client", "user", "outcome", outcome).counter().count();
    }
}
