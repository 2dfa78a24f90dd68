package io.hpcspawner.support;

import io.hpcspawner.spawn.service.ReadyLine;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what a test needs out of a rendered batch script, as the job itself would. */
public final class JobScripts {

    private static final Pattern SECRET = Pattern.compile("(?m)^hpcsp_secret='([0-9a-f]{64})'$");

    private JobScripts() {
    }

    /** The start secret the script sends with its ready callback. */
    public static String startSecret(String script) {
        Matcher m = SECRET.matcher(script);
        if (!m.find()) {
            throw new AssertionError("no start secret in the script:\n" + script.lines().limit(40).toList());
        }
        return m.group(1);
    }

    /** The ready line the job prints for this start, host and port (with its proof). */
    public static String readyLine(String script, String serverId, String host, int port) {
        String hash = io.hpcspawner.credentials.Secrets.hash(startSecret(script));
        return "HPCSPAWNER_READY host=" + host + " port=" + port + " proof="
                + ReadyLine.proofFor(hash, serverId, host, port);
    }
}
