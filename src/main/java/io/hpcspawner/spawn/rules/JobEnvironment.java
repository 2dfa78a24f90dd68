package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.Names;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The environment a job's server gets: the hub's variables, then the site's (which win: the hub's
 * PATH means nothing on a compute node). The whole environment travels inside the batch script
 * body as {@code export} lines, never in the scheduler API's environment field (which FirecREST
 * turns into {@code sbatch --export=...}, a command line every user of the login node can see):
 * it holds the hub's API token. The scheduler API gets only {@link #transport(Map)}.
 */
public final class JobEnvironment {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

    private JobEnvironment() {
    }

    /**
     * Checks the hub-given environment: names must be plain, not the service's own
     * ({@code HPCSPAWNER_*}) and not one that lets whoever sets it run code in the job
     * ({@code BASH_ENV}, {@code LD_PRELOAD}, ...: {@code rules}); values are free but for NUL,
     * which no environment can hold. Values are never echoed: they are secrets.
     */
    public static void validate(Map<String, String> hubEnvironment, EnvironmentRules rules) {
        if (hubEnvironment.size() > 500) {
            throw new InvalidRequestException("bad_request", "environment", "environment has more than 500 variables");
        }
        for (Map.Entry<String, String> e : hubEnvironment.entrySet()) {
            String name = e.getKey();
            if (!NAME.matcher(name).matches() || name.startsWith("HPCSPAWNER_")) {
                throw new InvalidRequestException("bad_request", "environment",
                        "environment variable names must match [A-Za-z_][A-Za-z0-9_]* (at most 128 characters) and not"
                                + " start with HPCSPAWNER_, got \"" + Names.printable(name) + "\"");
            }
            if (rules.refuses(name)) {
                throw new InvalidRequestException("denied_environment", "environment." + name, "environment variable "
                        + name + " is refused: it lets whoever sets it run code in the job (" + rules.matchOf(name)
                        + " in hpcspawner.job-environment.denied); leave it out, or ask the site to allow it with"
                        + " hpcspawner.job-environment.allowed");
            }
            if (e.getValue() == null) {
                throw new InvalidRequestException("bad_request", "environment." + name, "environment values must be strings");
            }
            if (e.getValue().indexOf('\0') >= 0) {
                throw new InvalidRequestException("bad_request", "environment." + name,
                        "environment value of " + name + " contains a NUL character, which no process environment can hold");
            }
            if (!wellFormedUnicode(e.getValue())) {
                throw new InvalidRequestException("bad_request", "environment." + name, "environment value of " + name
                        + " contains a lone UTF-16 surrogate (\\ud800-\\udfff), which has no UTF-8 form");
            }
        }
    }

    /** The job's environment: the hub's variables, then the site's, with a PATH that works on a compute node. */
    public static Map<String, String> compose(Map<String, String> hub, Map<String, String> site) {
        Map<String, String> merged = new LinkedHashMap<>(hub);
        merged.putAll(site);
        merged.putIfAbsent("PATH", DEFAULT_PATH);
        return merged;
    }

    /**
     * What the scheduler API's environment field carries: only PATH, so the batch script finds
     * {@code bash}'s helpers before it exports the rest from its own body. Holds no secret.
     */
    public static Map<String, String> transport(Map<String, String> composed) {
        return Map.of("PATH", composed.getOrDefault("PATH", DEFAULT_PATH));
    }

    /** The {@code export} lines for the script body, each value shell-quoted byte for byte. */
    public static List<String> exportLines(Map<String, String> composed) {
        return composed.entrySet().stream().map(e -> "export " + e.getKey() + "=" + ShellQuote.quote(e.getValue()))
                .toList();
    }

    private static boolean wellFormedUnicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
