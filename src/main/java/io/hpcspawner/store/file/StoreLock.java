package io.hpcspawner.store.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The exclusive lock one running instance holds on its store directory ({@code <store>/.lock},
 * an OS file lock): a second instance on the same store refuses to start, naming the directory
 * and the holder (pid and host, which the holder writes into the file). The operating system
 * drops the lock when the holder exits, even by {@code kill -9}, so a lock file left behind never
 * blocks a start. Held until {@link #close()} (at shutdown). Advisory, like every POSIX lock, and
 * not reliable on every network file system: keep the store on a local disk.
 */
public final class StoreLock implements AutoCloseable {

    static final String FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code directory} (created if missing).
     *
     * @throws IllegalStateException when another instance, or this process, holds it
     */
    public static StoreLock acquire(Path directory) {
        Path file = directory.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this process holds it already
            }
            if (lock == null) {
                String holder = holder(file);
                channel.close();
                throw new IllegalStateException("the store " + directory.toAbsolutePath() + " is in use by another"
                        + " running instance (" + (holder.isEmpty() ? "holder unknown" : holder) + "; lock file "
                        + file.toAbsolutePath() + "): stop that instance, or give this one its own"
                        + " hpcspawner.store.directory");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on " + host() + " since "
                    + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new StoreLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("could not lock the store " + directory.toAbsolutePath() + " ("
                    + file.toAbsolutePath() + "): " + e.getMessage(), e);
        }
    }

    /** Releases the lock; the file stays (harmless: only a held OS lock blocks). */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel below releases it too
        }
        closeQuietly(channel);
    }

    private static String holder(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing left to do
            }
        }
    }
}
