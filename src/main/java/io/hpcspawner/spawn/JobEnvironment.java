package io.hpcspawner.spawn;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds the environment a job gets: the hub's variables, then the site's (which win: the hub's
 * PATH means nothing on a compute node), then the service's own. Values that scheduler APIs
 * mangle (quotes, commas, newlines) travel as {@code HPCSPAWNER_B64_<NAME>} and the batch script
 * decodes them.
 */
public final class JobEnvironment {

    public static final String B64_PREFIX = "HPCSPAWNER_B64_";
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final Pattern PLAIN = Pattern.compile("[\\x20-\\x7e&&[^\"',\\\\`$]]*");

    private JobEnvironment() {
    }

    /** Checks names of the hub-given environment; values are free (they are secrets, never echoed). */
    public static void validate(Map<String, String> hubEnvironment) {
        if (hubEnvironment.size() > 500) {
            throw new InvalidRequestException("bad_request", "environment", "environment has more than 500 variables");
        }
        for (Map.Entry<String, String> e : hubEnvironment.entrySet()) {
            if (!NAME.matcher(e.getKey()).matches() || e.getKey().startsWith("HPCSPAWNER_")) {
                throw new InvalidRequestException("bad_request", "environment",
                        "environment variable names must match [A-Za-z_][A-Za-z0-9_]* and not start with HPCSPAWNER_");
            }
            if (e.getValue() == null) {
                throw new InvalidRequestException("bad_request", "environment." + e.getKey(),
                        "environment values must be strings");
            }
        }
    }

    public static Map<String, String> compose(Map<String, String> hub, Map<String, String> site,
            Map<String, String> service) {
        Map<String, String> merged = new LinkedHashMap<>(hub);
        merged.putAll(site);
        merged.putIfAbsent("PATH", "/usr/local/bin:/usr/bin:/bin");
        Map<String, String> out = new LinkedHashMap<>();
        merged.forEach((k, v) -> put(out, k, v));
        service.forEach((k, v) -> put(out, k, v));
        return out;
    }

    private static void put(Map<String, String> out, String name, String value) {
        if (PLAIN.matcher(value).matches()) {
            out.put(name, value);
        } else {
            out.put(B64_PREFIX + name, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
