package io.hpcspawner.logging;

/**
 * Makes text safe to write as one log line: characters that end a line or steer a terminal (CR,
 * LF, every other C0 and C1 control, DEL, U+2028/U+2029 line and paragraph separators, and the
 * bidirectional overrides that reorder what a reader sees) are written as escapes ({@code \n},
 * {@code \r}, {@code \t}, else {@code \}{@code uXXXX}). Backslashes are left alone, so escaping
 * twice changes nothing.
 */
public final class LogText {

    private LogText() {
    }

    /** The text with control characters escaped; the same instance when there is none. */
    public static String escape(String text) {
        if (text == null) {
            return null;
        }
        int first = 0;
        while (first < text.length() && !isControl(text.charAt(first))) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                out.append(c);
            } else if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (c == '\t') {
                out.append("\\t");
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.toString();
    }

    static boolean isControl(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) // C0, DEL, C1 (U+0085 next line among them)
                || c == '\u2028' || c == '\u2029' // line and paragraph separators
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069'); // bidi overrides
    }
}
