package io.hpcspawner.spawn;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The line the batch script prints once the server listens: {@code HPCSPAWNER_READY host=nid001 port=51234}. */
public record ReadyLine(String host, int port) {

    private static final Pattern LINE = Pattern.compile("^HPCSPAWNER_READY host=([A-Za-z0-9.-]{1,253}) port=(\\d{1,5})\\s*$",
            Pattern.MULTILINE);

    /** The last ready line in a piece of job output, if any. */
    public static Optional<ReadyLine> find(String output) {
        Matcher m = LINE.matcher(output == null ? "" : output);
        ReadyLine last = null;
        while (m.find()) {
            int port = Integer.parseInt(m.group(2));
            if (port >= 1 && port <= 65535) {
                last = new ReadyLine(m.group(1), port);
            }
        }
        return Optional.ofNullable(last);
    }
}
