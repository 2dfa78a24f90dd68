package io.hpcspawner.spawn.rules;

/** Quotes a value for POSIX shells so it is always one word and never expanded. */
public final class ShellQuote {

    private ShellQuote() {
    }

    public static String quote(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
