package io.hpcspawner.scheduler.slurmrestd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hpcspawner.spawn.port.SchedulerException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service reads a job's output file with its own rights, in a directory the job's user owns:
 * it reads only that user's own regular file, whatever the user puts in its place. These tests
 * run as root (as the service may), with {@code nobody} as the job's user.
 */
class OutputFilesTest {

    static final String USER = "nobody";
    static final String SECRET = "hub-token-0123456789abcdef-SECRET";

    @TempDir
    Path dir; // root's, like /etc/hpcspawner

    Path home; // the user's working directory
    Path secret; // a file only root may read
    final OutputFiles files = new OutputFiles(true);

    @BeforeEach
    void layout() throws IOException {
        home = Files.createDirectory(dir.resolve("home"));
        chown(home, USER);
        secret = Files.writeString(dir.resolve("token.key"), "first line\n" + SECRET + "\n");
    }

    @Test
    void theUsersOwnFileIsReadLastOrFirstLines() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20000; i++) {
            sb.append("line ").append(i).append('\n');
        }
        Path out = usersFile(".hpcspawner-j1.log", sb.toString());
        assertThat(files.tail(out.toString(), USER, 2)).isEqualTo("line 19998\nline 19999");
        assertThat(files.head(out.toString(), USER, 1)).isEqualTo("line 0");
    }

    @Test
    void aFileNotWrittenYetReadsAsEmpty() {
        assertThat(files.tail(home.resolve(".hpcspawner-none.log").toString(), USER, 5)).isEmpty();
    }

    @Test
    void aSymlinkToASecretIsRefused() throws IOException {
        Path out = home.resolve(".hpcspawner-j1.log");
        Files.createSymbolicLink(out, secret);
        lchown(out, USER);
        assertRefused(out, "symbolic link");
    }

    @Test
    void aHardLinkToRootsFileIsRefused() throws IOException {
        Path out = Files.createLink(home.resolve(".hpcspawner-j1.log"), secret);
        assertRefused(out, "owned by root");
    }

    @Test
    void aHardLinkEvenToTheUsersOwnFileIsRefused() throws IOException {
        Path original = usersFile("notes.txt", "mine\n");
        Path out = Files.createLink(home.resolve(".hpcspawner-j1.log"), original);
        assertRefused(out, "2 links");
    }

    @Test
    void aFifoIsRefusedWithoutHanging() throws Exception {
        Path out = home.resolve(".hpcspawner-j1.log");
        mkfifo(out);
        chown(out, USER);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertRefused(out, "not a regular file"));
    }

    @Test
    void aFifoSwappedInAfterTheChecksIsRefusedWithinTheTimeLimit() throws Exception {
        Path out = usersFile(".hpcspawner-j1.log", "fine\n");
        OutputFiles racy = new OutputFiles(true, Duration.ofMillis(500), p -> {
            try {
                Files.delete(p);
                mkfifo(p);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            SchedulerException e = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> catchThrowableOfType(SchedulerException.class, () -> racy.tail(out.toString(), USER, 5)));
            assertThat(e).isNotNull();
            assertThat(e.getMessage()).contains(out.toString()).contains("could not be read within");
            assertThat(e.isTransient()).isFalse();
        } finally {
            new FileOutputStream(out.toFile()).close(); // a writer frees the reader stuck in open()
        }
    }

    @Test
    void aHugeSparseFileAnswersFastWithItsLastLines() throws IOException {
        Path out = home.resolve(".hpcspawner-j1.log");
        try (RandomAccessFile f = new RandomAccessFile(out.toFile(), "rw")) {
            f.setLength(4L << 30);
            f.seek(4L << 30);
            f.write("\nalmost\nthe end\n".getBytes(StandardCharsets.UTF_8));
        }
        chown(out, USER);
        String tail = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> files.tail(out.toString(), USER, 2));
        assertThat(tail).isEqualTo("almost\nthe end");
    }

    @Test
    void aDirectorySymlinkOfTheUserIsRefused() throws IOException {
        Path real = Files.createDirectory(dir.resolve("elsewhere"));
        Files.writeString(real.resolve(".hpcspawner-j1.log"), SECRET + "\n");
        chown(real.resolve(".hpcspawner-j1.log"), USER);
        Path link = Files.createSymbolicLink(home.resolve("jobs"), real);
        lchown(link, USER);
        assertRefused(link.resolve(".hpcspawner-j1.log"), "symbolic link");
    }

    @Test
    void anAdminsSymlinkInRootsDirectoryIsFollowed() throws IOException {
        usersFile(".hpcspawner-j1.log", "started\nready\n");
        Path users = Files.createSymbolicLink(dir.resolve("users"), home); // like /home -> /users
        assertThat(files.tail(users.resolve(".hpcspawner-j1.log").toString(), USER, 1)).isEqualTo("ready");
    }

    @Test
    void aFileOfAnotherUserIsRefused() throws IOException {
        Path out = Files.writeString(home.resolve(".hpcspawner-j1.log"), SECRET + "\n");
        chown(out, "daemon");
        assertRefused(out, "owned by daemon");
    }

    @Test
    void onlyAbsoluteNormalisedPathsAreRead() throws IOException {
        usersFile(".hpcspawner-j1.log", SECRET + "\n");
        assertRefused(Path.of("home/.hpcspawner-j1.log"), "absolute");
        assertRefused(Path.of(home + "/../home/.hpcspawner-j1.log"), "..");
    }

    Path usersFile(String name, String text) throws IOException {
        Path f = Files.writeString(home.resolve(name), text);
        chown(f, USER);
        return f;
    }

    void assertRefused(Path out, String reason) {
        SchedulerException e = catchThrowableOfType(SchedulerException.class, () -> files.tail(out.toString(), USER, 20));
        assertThat(e).as("reading %s is refused", out).isNotNull();
        assertThat(e.getMessage()).contains(out.toString()).contains(reason).doesNotContain(SECRET)
                .doesNotContain("first line");
        assertThat(e.isTransient()).as("a refusal is not retried as a passing fault").isFalse();
    }

    static void chown(Path p, String user) throws IOException {
        Files.setOwner(p, principal(user));
    }

    static void lchown(Path p, String user) throws IOException {
        Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(principal(user));
    }

    static UserPrincipal principal(String user) throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
    }

    static void mkfifo(Path p) throws Exception {
        assertThat(new ProcessBuilder("mkfifo", p.toString()).inheritIO().start().waitFor()).isZero();
    }
}
