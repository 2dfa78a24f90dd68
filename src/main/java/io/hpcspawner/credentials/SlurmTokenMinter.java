package io.hpcspawner.credentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints Slurm JWTs (HS256 over {@code {"exp","iat","sun"}}) for any user from the cluster's JWT
 * key, as {@code scontrol token} does, and reuses each until shortly before it expires.
 */
public final class SlurmTokenMinter {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final byte[] key;
    private final Duration lifespan;
    private final Clock clock;
    private final Map<String, Minted> cache = new ConcurrentHashMap<>();

    private record Minted(String token, Instant renewAfter) {
    }

    public SlurmTokenMinter(byte[] key, Duration lifespan, Clock clock) {
        if (key.length < 16) {
            throw new IllegalArgumentException("the Slurm JWT key is shorter than 16 bytes");
        }
        this.key = key.clone();
        this.lifespan = lifespan;
        this.clock = clock;
    }

    /** Reads the key from the file slurm.conf's {@code jwt_key=} names. */
    public static SlurmTokenMinter fromKeyFile(Path file) {
        try {
            return new SlurmTokenMinter(Files.readAllBytes(file), Duration.ofMinutes(30), Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Slurm JWT key file " + file + ": " + e.getMessage(), e);
        }
    }

    /** A token for {@code user}, valid for at least half its lifespan. */
    public String tokenFor(String user) {
        Instant now = clock.instant();
        Minted m = cache.get(user);
        if (m == null || now.isAfter(m.renewAfter())) {
            m = new Minted(mint(user, now), now.plus(lifespan.dividedBy(2)));
            cache.put(user, m);
        }
        return m.token();
    }

    private String mint(String user, Instant now) {
        String claims = "{\"exp\":" + now.plus(lifespan).getEpochSecond() + ",\"iat\":" + now.getEpochSecond()
                + ",\"sun\":\"" + user.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}";
        String signingInput = HEADER + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
