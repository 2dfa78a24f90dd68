package io.hpcspawner.scheduler.firecrest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tail of a job's output read incrementally: each read asks only for the bytes written since
 * the last one, and the last lines are kept here. While a server starts without a ready callback
 * the watcher reads the tail of its output on every poll (every 2 s); a 200-line tail each time
 * would move the same kilobytes again and again. A file's first read asks its size and reads at
 * most its last {@link #FIRST_READ_BYTES} bytes. The cursor moves only past complete lines, so a
 * line still being written (or a character cut in two) is read again whole. Every
 * {@link #RECHECK_AFTER} the size is asked again: a file that shrank (rewritten, e.g. by a requeued
 * job) is read anew. When more was written since the last read than FirecREST returns in one
 * answer (HTTP 413), the read starts again from the file's last {@link #FIRST_READ_BYTES} bytes.
 * Cursors not used for {@link #FORGET_AFTER} are dropped.
 */
final class OutputCursors {

    /** At most this much of a file is read the first time (its end). */
    static final int FIRST_READ_BYTES = 64 * 1024;
    /** Lines kept per file, and the bytes they may take. */
    static final int KEPT_LINES = 1000;
    static final int KEPT_BYTES = 256 * 1024;
    /** A line longer than this is taken as it is, so an endless line does not make each read grow. */
    static final int LONGEST_LINE = 64 * 1024;
    static final Duration RECHECK_AFTER = Duration.ofMinutes(2);
    static final Duration FORGET_AFTER = Duration.ofMinutes(15);

    /** The two reads the cursors need from the cluster. */
    interface Reads {

        /** The file's size in bytes; empty when it does not exist (yet). */
        OptionalLong size(String path, String user);

        /** The file from byte {@code offset} (0 = the whole file) to its end. */
        String from(String path, String user, long offset);
    }

    /** Where one file has been read to, and its last complete lines. */
    private static final class Cursor {
        long offset;
        boolean skipFirstLine;
        Instant checked;
        Instant used;
        String partial = "";
        final Deque<String> lines = new ArrayDeque<>();
        int keptBytes;

        Cursor(long offset, Instant now) {
            this.offset = offset;
            this.skipFirstLine = offset > 0;
            this.checked = now;
            this.used = now;
        }
    }

    private final Reads reads;
    private final Clock clock;
    private final Map<String, Cursor> cursors = new ConcurrentHashMap<>();
    private volatile Instant swept = Instant.EPOCH;

    OutputCursors(Reads reads, Clock clock) {
        this.reads = reads;
        this.clock = clock;
    }

    /** The last {@code lines} lines of the file (the last one possibly incomplete), read as {@code user}. */
    String tail(String path, String user, int lines) {
        return tail(path, user, lines, false);
    }

    private String tail(String path, String user, int lines, boolean anew) {
        Instant now = clock.instant();
        forgetUnused(now);
        String key = user + '\u0000' + path;
        Cursor c = cursors.get(key);
        if (c == null) {
            OptionalLong size = reads.size(path, user);
            if (size.isEmpty()) {
                return "";
            }
            c = cursors.computeIfAbsent(key, k -> new Cursor(Math.max(0, size.getAsLong() - FIRST_READ_BYTES), now));
        }
        synchronized (c) {
            if (!Duration.between(c.checked, now).minus(RECHECK_AFTER).isNegative()) {
                OptionalLong size = reads.size(path, user);
                c.checked = now;
                if (size.isEmpty() || size.getAsLong() < c.offset + c.partial.getBytes(StandardCharsets.UTF_8).length) {
                    cursors.remove(key, c); // gone or rewritten: start anew
                    return tail(path, user, lines, true);
                }
            }
            c.used = now;
            String text;
            try {
                text = reads.from(path, user, c.offset);
            } catch (FirecrestHttpException e) {
                if (e.status() != 413 || anew) {
                    throw e;
                }
                cursors.remove(key, c); // too much since the last read: go on from the file's end
                return tail(path, user, lines, true);
            }
            consume(c, text);
            return last(c, lines);
        }
    }

    /** How many files have a cursor (for tests). */
    int size() {
        return cursors.size();
    }

    private static void consume(Cursor c, String text) {
        int cut = text.lastIndexOf('\n');
        String complete = cut < 0 ? "" : text.substring(0, cut + 1);
        c.partial = cut < 0 ? text : text.substring(cut + 1);
        if (c.partial.length() > LONGEST_LINE) {
            complete = text;
            c.partial = "";
        }
        c.offset += complete.getBytes(StandardCharsets.UTF_8).length;
        int start = 0;
        while (start < complete.length()) {
            int end = complete.indexOf('\n', start);
            end = end < 0 ? complete.length() : end + 1;
            String line = complete.substring(start, end);
            start = end;
            if (c.skipFirstLine) { // the first read began inside the file: its first line may be cut
                c.skipFirstLine = false;
                continue;
            }
            c.lines.addLast(line);
            c.keptBytes += line.length();
        }
        while (c.lines.size() > KEPT_LINES || (c.keptBytes > KEPT_BYTES && c.lines.size() > 1)) {
            c.keptBytes -= c.lines.removeFirst().length();
        }
    }

    private static String last(Cursor c, int lines) {
        int partial = c.partial.isEmpty() ? 0 : 1;
        int skip = Math.max(0, c.lines.size() + partial - Math.max(0, lines));
        StringBuilder sb = new StringBuilder();
        for (String line : c.lines) {
            if (skip > 0) {
                skip--;
            } else {
                sb.append(line);
            }
        }
        if (partial == 1 && lines > 0) {
            sb.append(c.partial);
        }
        return sb.toString();
    }

    private void forgetUnused(Instant now) {
        if (Duration.between(swept, now).compareTo(Duration.ofMinutes(1)) < 0) {
            return;
        }
        swept = now;
        cursors.values().removeIf(c -> Duration.between(c.used, now).compareTo(FORGET_AFTER) > 0);
    }
}
