package io.hpcspawner.logging;

import java.util.regex.Pattern;

/**
 * Blanks the secrets a log message may carry by accident (a scheduler's or a hub's error echoing
 * a request): bearer credentials ({@code Bearer ...}, {@code Authorization: token ...}), JSON Web
 * Tokens ({@code eyJ...}), and the value after a name that says it is secret ({@code token=},
 * {@code secret:}, {@code password=}, {@code api_key=}, {@code "client_secret": "..."} and the
 * like). The name stays, the value becomes {@value #REDACTED}, so the line still says what was there.
 */
public final class SecretText {

    public static final String REDACTED = "[redacted]";

    private static final Pattern BEARER = Pattern.compile(
            "(?i)\\b(bearer|authorization:\\s*token|authorization:\\s*basic)\\s+[^\\s\"',;]+");
    private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");
    private static final Pattern NAMED = Pattern.compile(
            "(?i)\\b([a-z_-]*(?:token|secret|password|passwd|api[_-]?key))([\"']?\\s*[:=]\\s*[\"']?)(?!\\[redacted])[^\\s\"',;&)}]+");

    private SecretText() {
    }

    /** The text with secrets replaced; the same instance when there is none. */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = BEARER.matcher(text).replaceAll("$1 " + REDACTED);
        out = JWT.matcher(out).replaceAll(REDACTED);
        out = NAMED.matcher(out).replaceAll("$1$2" + REDACTED);
        return out.equals(text) ? text : out;
    }
}
