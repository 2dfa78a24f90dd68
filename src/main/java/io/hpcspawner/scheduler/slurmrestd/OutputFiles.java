package io.hpcspawner.scheduler.slurmrestd;

import io.hpcspawner.scheduler.SchedulerException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads job output from a file system the service shares with the compute nodes. Only the last
 * (or first) 64 KiB are read, whatever the file's size.
 */
public final class OutputFiles {

    private static final int WINDOW = 64 * 1024;
    private final boolean readable;

    public OutputFiles(boolean readable) {
        this.readable = readable;
    }

    String tail(String path, int lines) {
        byte[] bytes = read(path, true);
        List<String> all = new String(bytes, StandardCharsets.UTF_8).lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    String head(String path, int lines) {
        byte[] bytes = read(path, false);
        return String.join("\n", new String(bytes, StandardCharsets.UTF_8).lines().limit(lines).toList());
    }

    private byte[] read(String path, boolean fromEnd) {
        if (!readable) {
            throw new SchedulerException("job output is not readable from this service (output-readable=false)", false);
        }
        Path file = Path.of(path);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long size = f.length();
            int n = (int) Math.min(size, WINDOW);
            f.seek(fromEnd ? size - n : 0);
            byte[] buf = new byte[n];
            f.readFully(buf);
            return buf;
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            if (!Files.exists(file)) {
                return new byte[0];
            }
            throw new SchedulerException("cannot read job output " + path + ": " + e.getMessage(), false, e);
        } catch (IOException e) {
            throw new SchedulerException("cannot read job output " + path + ": " + e.getMessage(), true, e);
        }
    }
}
