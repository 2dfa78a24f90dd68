package io.hpcspawner.scheduler.slurmrestd;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.hpcspawner.spawn.port.SchedulerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Looks cluster user names up in the name service this host shares with the cluster (files,
 * LDAP, SSSD: whatever NSS is configured), through {@code getent passwd}. slurmrestd runs a job
 * as any user the service names, so the service must know who that is. Answers are kept a few
 * minutes (absent names one minute), at most 10,000 of them.
 */
public final class PosixAccounts {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}");
    private static final Duration KNOWN_FOR = Duration.ofMinutes(5);
    private static final Duration ABSENT_FOR = Duration.ofMinutes(1);
    private static final int MAX_ENTRIES = 10_000;

    private final Cache<String, OptionalLong> answers = Caffeine.newBuilder().maximumSize(MAX_ENTRIES)
            .expireAfter(Expiry.creating((String user, OptionalLong uid) -> uid.isPresent() ? KNOWN_FOR : ABSENT_FOR))
            .build();

    /** The uid of {@code user}, or empty when no such user exists. */
    public OptionalLong uidOf(String user) {
        if (!NAME.matcher(user).matches()) {
            return OptionalLong.empty(); // getent would read it as an option or a number
        }
        return answers.get(user, PosixAccounts::lookUp);
    }

    private static OptionalLong lookUp(String user) {
        try {
            Process p = new ProcessBuilder("getent", "passwd", "--", user).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new SchedulerException("looking up user " + user + " timed out (getent passwd)", true);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.exitValue() == 2) {
                return OptionalLong.empty(); // getent: key not found
            }
            String[] fields = out.split(":");
            if (p.exitValue() != 0 || fields.length < 3 || !fields[0].equals(user)) {
                throw new SchedulerException("looking up user " + user + " failed (getent passwd exit "
                        + p.exitValue() + ")", true);
            }
            return OptionalLong.of(Long.parseLong(fields[2]));
        } catch (IOException | NumberFormatException e) {
            throw new SchedulerException("looking up user " + user + " failed: " + e.getMessage(), true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException("looking up user " + user + " was interrupted", true, e);
        }
    }
}
