package io.hpcspawner.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local stack's scripts keep PID files, Slurm's JWT key and the hub's secrets under
 * {@code STACK_DIR} (by default in the shared {@code /tmp}): they refuse a directory another user
 * could have planted there.
 */
class StackDirectorySafetyTest {

    @TempDir
    Path temp;

    @Test
    void aSymbolicLinkAsTheStackDirectoryIsRefused() throws Exception {
        Path real = Files.createDirectory(temp.resolve("real"));
        Path link = Files.createSymbolicLink(temp.resolve("stack"), real);

        Result sourced = sourceLib(link);

        assertThat(sourced.exit()).isEqualTo(1);
        assertThat(sourced.stderr()).contains(link + " is a symbolic link or not owned by")
                .contains("set STACK_DIR to a directory of yours");
    }

    @Test
    void aStackDirectoryOfTheUsersOwnIsUsedAndAMissingOneIsCreated() throws Exception {
        Path missing = temp.resolve("fresh");

        Result sourced = sourceLib(missing);

        assertThat(sourced.exit()).as(sourced.stderr()).isZero();
        assertThat(missing).isDirectory();
    }

    private record Result(int exit, String stderr) { }

    private Result sourceLib(Path stackDir) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", "source scripts/stack/lib.sh")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("STACK_DIR", stackDir.toString());
        Process p = pb.start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), err);
    }
}
