package io.hpcspawner.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Crash-safe file replacement: write a temporary sibling, fsync it, rename it over the target,
 * fsync the directory. A {@code kill -9} at any moment leaves the old or the new content, and a
 * leftover {@code .tmp} file that readers skip. Files are created readable by the owner only.
 */
final class AtomicFile {

    static final String TEMP_SUFFIX = ".tmp";

    private AtomicFile() {
    }

    static void write(Path target, byte[] bytes) throws IOException {
        write(target, bytes, true);
    }

    /**
     * As {@link #write(Path, byte[])}; without {@code syncDirectory} the rename is not forced to
     * disk: a crash of the machine (not of the process) may leave the previous content, never a
     * partial one, since the new content is on disk before the rename.
     */
    static void write(Path target, byte[] bytes, boolean syncDirectory) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException notPosix) {
            Files.createFile(tmp);
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap(bytes));
            ch.force(true);
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        if (syncDirectory) {
            syncDirectoryOf(target);
        }
    }

    /** Deletes the file (if there) and fsyncs the directory, so the deletion survives a crash. */
    static void delete(Path target) throws IOException {
        Files.deleteIfExists(target);
        syncDirectoryOf(target);
    }

    private static void syncDirectoryOf(Path file) throws IOException {
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
