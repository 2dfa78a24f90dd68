package io.hpcspawner.spawn.model;

import java.util.regex.Pattern;

/** The rules for user and server names accepted by the API. */
public final class Names {

    private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}");
    private static final Pattern SERVER = Pattern.compile("[A-Za-z0-9._-]{0,64}");
    private static final Pattern START_ID = Pattern.compile("[A-Za-z0-9._-]{8,128}");

    private Names() {
    }

    public static void requireUser(String user) {
        if (user == null || !USER.matcher(user).matches()) {
            throw new InvalidRequestException("invalid_name", "user",
                    "user name must be 1-64 characters from A-Z a-z 0-9 . _ @ + - starting with a letter or digit");
        }
    }

    public static void requireServer(String server) {
        if (server == null || !SERVER.matcher(server).matches() || server.matches("\\.+")) {
            throw new InvalidRequestException("invalid_name", "server",
                    "server name must be 0-64 characters from A-Z a-z 0-9 . _ -, and not only dots");
        }
    }

    public static void requireStartId(String startId) {
        if (startId == null || !START_ID.matcher(startId).matches()) {
            throw new InvalidRequestException("bad_request", "startId",
                    "startId is required: 8-128 characters from A-Z a-z 0-9 . _ -, e.g. a UUID");
        }
    }

    /** A user-sent value safe to quote in a message: at most 40 characters, non-printable ones as '?'. */
    public static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }
}
