package io.hpcspawner.scheduler.slurmrestd;

import io.hpcspawner.spawn.port.SchedulerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Reads job output from a file system the service shares with the compute nodes. The file sits in
 * a directory the job's user controls, so it is read only when it is that user's own regular file
 * ({@link UserOwnedFile}); anything else is refused with a non-transient {@link SchedulerException}
 * that names the path and the reason, never the content. Only the last (or first) 64 KiB are read,
 * whatever the file's size, and on a few threads of its own with a time limit, so a FIFO or a hung
 * file system cannot stall the watcher.
 */
public final class OutputFiles {

    private static final Logger LOG = Logger.getLogger(OutputFiles.class);
    private static final int WINDOW = 64 * 1024;
    private static final int READERS = 4;
    private static final int REFUSALS_REMEMBERED = 1000;
    private final boolean readable;
    private final Duration timeout;
    private final Consumer<Path> beforeOpen;
    private final ThreadPoolExecutor readers;
    /** Paths whose refusal was logged (each once, not every watcher round). */
    private final Set<String> refusalsLogged = ConcurrentHashMap.newKeySet();

    public OutputFiles(boolean readable) {
        this(readable, Duration.ofSeconds(5), p -> { });
    }

    /** For tests: a shorter time limit, and a hook between the checks and the opening of the file. */
    OutputFiles(boolean readable, Duration timeout, Consumer<Path> beforeOpen) {
        this.readable = readable;
        this.timeout = timeout;
        this.beforeOpen = beforeOpen;
        // A thread stuck in open() on a FIFO cannot be interrupted: it stays one of the few, and
        // when all are stuck further reads are refused rather than piling up threads.
        this.readers = new ThreadPoolExecutor(0, READERS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "hpcspawner-output-reader");
            t.setDaemon(true);
            return t;
        });
    }

    /** The last {@code lines} lines of {@code user}'s file at {@code path}; empty while it does not exist. */
    public String tail(String path, String user, int lines) {
        byte[] bytes = read(path, user, true);
        List<String> all = new String(bytes, StandardCharsets.UTF_8).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** The first {@code lines} lines of {@code user}'s file at {@code path}; empty while it does not exist. */
    public String head(String path, String user, int lines) {
        byte[] bytes = read(path, user, false);
        return String.join("\n", new String(bytes, StandardCharsets.UTF_8).lines().limit(lines).toList());
    }

    private byte[] read(String path, String user, boolean fromEnd) {
        if (!readable) {
            throw new SchedulerException("job output is not readable from this service (output-readable=false)", false);
        }
        Future<byte[]> reading;
        try {
            reading = readers.submit(() -> new UserOwnedFile(path, user, beforeOpen).read(fromEnd, WINDOW));
        } catch (RejectedExecutionException e) {
            throw new SchedulerException("cannot read job output " + path + ": " + READERS
                    + " earlier reads have not finished (FIFOs or a hung file system?)", true);
        }
        try {
            byte[] bytes = reading.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return bytes == null ? new byte[0] : bytes;
        } catch (TimeoutException e) {
            reading.cancel(true);
            throw refused(path, user, "it could not be read within " + timeout.toMillis() + " ms (a FIFO, or a hung "
                    + "file system?)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reading.cancel(true);
            throw new SchedulerException("reading job output " + path + " was interrupted", true, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UserOwnedFile.UnsafeFileException unsafe) {
                throw refused(path, user, unsafe.getMessage());
            }
            if (e.getCause() instanceof IOException io) {
                throw new SchedulerException("cannot read job output " + path + ": " + io, true, io);
            }
            throw new SchedulerException("cannot read job output " + path + ": " + e.getCause(), true, e.getCause());
        }
    }

    private SchedulerException refused(String path, String user, String reason) {
        String message = "refusing to read job output " + path + " of user " + user + ": " + reason;
        if (refusalsLogged.size() >= REFUSALS_REMEMBERED) {
            refusalsLogged.clear();
        }
        if (refusalsLogged.add(path)) {
            LOG.warn(message);
        }
        return new SchedulerException(message, false);
    }
}
