package io.hpcspawner.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the log keeps of a message that carries a secret: its name, never its value. */
class SecretTextTest {

    @Test
    void bearerCredentialsAndJwtsAreBlanked() {
        assertThat(SecretText.redact("401 for Authorization: Bearer abc.def-123 on /hub/api"))
                .isEqualTo("401 for Authorization: Bearer [redacted] on /hub/api");
        assertThat(SecretText.redact("refused eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl here"))
                .isEqualTo("refused [redacted] here");
    }

    @Test
    void valuesNamedSecretAreBlankedAndTheirNamesKept() {
        assertThat(SecretText.redact("POST /token?refresh_token=r3fr3sh&client_id=hub failed"))
                .isEqualTo("POST /token?refresh_token=[redacted]&client_id=hub failed");
        assertThat(SecretText.redact("{\"client_secret\": \"s3cr3t\", \"password\":\"pw\"}"))
                .isEqualTo("{\"client_secret\": \"[redacted]\", \"password\":\"[redacted]\"}");
        assertThat(SecretText.redact("hpcsp_secret='abc' api-key=k3y")).isEqualTo("hpcsp_secret='[redacted]' api-key=[redacted]");
    }

    @Test
    void ordinaryLinesAreLeftAsTheyAre() {
        String line = "Server alice/gpu (ab12, job 42): queued: waiting for Resources; token refresh for bob failed";
        assertThat(SecretText.redact(line)).isSameAs(line);
        assertThat(SecretText.redact(SecretText.redact("token=abc"))).isEqualTo("token=[redacted]");
    }
}
