package io.hpcspawner.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class SlurmTokenMinterTest {

    final byte[] key = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @Test
    void tokensCarryTheUserAndExpiryAndAreSignedWithTheKey() throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
        String token = new SlurmTokenMinter(key, Duration.ofMinutes(30), clock).tokenFor("alice");
        String[] parts = token.split("\\.");
        JsonNode claims = new ObjectMapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertThat(claims.path("sun").asText()).isEqualTo("alice");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(1800);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String expected = Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII)));
        assertThat(parts[2]).isEqualTo(expected);
    }

    @Test
    void tokensAreReusedUntilHalfTheirLifeHasPassed() {
        Instant[] now = {Instant.parse("2026-11-22T10:00:00Z")};
        Clock clock = new Clock() {
            public ZoneOffset getZone() { return ZoneOffset.UTC; }
            public Clock withZone(java.time.ZoneId z) { return this; }
            public Instant instant() { return now[0]; }
        };
        SlurmTokenMinter minter = new SlurmTokenMinter(key, Duration.ofMinutes(30), clock);
        String first = minter.tokenFor("bob");
        now[0] = now[0].plus(Duration.ofMinutes(10));
        assertThat(minter.tokenFor("bob")).isEqualTo(first);
        now[0] = now[0].plus(Duration.ofMinutes(6));
        assertThat(minter.tokenFor("bob")).isNotEqualTo(first);
    }
}
