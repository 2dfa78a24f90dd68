package io.hpcspawner.scheduler.slurmrestd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a file that lives in a directory a cluster user controls (a job's output in the user's
 * home), with the service's rights, only when it is that user's own file: a regular file (not a
 * FIFO, device, socket or directory) owned by the user, with one link, reached without following
 * any symbolic link the user could have made. Symbolic links are followed only when root owns them
 * and every directory above them (admins' links such as {@code /home -> /users}).
 *
 * <p>The walk opens each directory relative to the one before, without following links
 * ({@link SecureDirectoryStream}, i.e. {@code openat} with {@code O_NOFOLLOW}), and checks that what
 * it opened is what it checked, so renaming a directory to a link half-way through gains nothing.
 * What is refused is reported as an {@link UnsafeFileException} naming the path and the reason,
 * never the content.
 */
final class UserOwnedFile {

    /** Like the kernel's limit on links in one lookup ({@code ELOOP}). */
    private static final int MAX_LINKS_FOLLOWED = 40;
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /** The file cannot be read safely; the message says why and names no content. */
    static final class UnsafeFileException extends Exception {
        UnsafeFileException(String message) {
            super(message);
        }
    }

    private final Path path;
    private final UserPrincipal owner;
    private final UserPrincipal root;
    private final Consumer<Path> beforeOpen;

    /**
     * @param beforeOpen called between the checks and the opening of the file (tests play the race
     *        there: they swap the file for a FIFO)
     */
    UserOwnedFile(String path, String user, Consumer<Path> beforeOpen) throws UnsafeFileException, IOException {
        try {
            this.path = Path.of(path);
        } catch (InvalidPathException e) {
            throw new UnsafeFileException("it is not a valid path");
        }
        if (!this.path.isAbsolute()) {
            throw new UnsafeFileException("it must be an absolute path");
        }
        if (!this.path.normalize().equals(this.path) || this.path.getNameCount() == 0) {
            throw new UnsafeFileException("it must be a normalised path to a file (no '.' or '..')");
        }
        var users = FileSystems.getDefault().getUserPrincipalLookupService();
        try {
            this.owner = users.lookupPrincipalByName(user);
            this.root = users.lookupPrincipalByName("root");
        } catch (UserPrincipalNotFoundException e) {
            throw new UnsafeFileException("user " + user + " is unknown on this host");
        }
        this.beforeOpen = beforeOpen;
    }

    /**
     * At most {@code window} bytes from the end (or the start) of the file; null when the file (or
     * a directory on its way) does not exist yet.
     */
    byte[] read(boolean fromEnd, int window) throws UnsafeFileException, IOException {
        Walk walk = new Walk();
        try {
            return walk.toFile(fromEnd, window);
        } catch (NoSuchFileException e) {
            return null;
        } finally {
            walk.close();
        }
    }

    /** The directories opened so far, root first, and whether only root can change each of them. */
    private final class Walk {
        private final Deque<SecureDirectoryStream<Path>> dirs = new ArrayDeque<>();
        private final Deque<Boolean> rootsOnly = new ArrayDeque<>();
        private final List<String> names = new ArrayList<>();

        byte[] toFile(boolean fromEnd, int window) throws UnsafeFileException, IOException {
            openRoot();
            Deque<String> todo = new ArrayDeque<>();
            path.forEach(n -> todo.add(n.toString()));
            int followed = 0;
            while (!todo.isEmpty()) {
                String name = todo.pollFirst();
                if (name.isEmpty() || name.equals(".")) {
                    continue;
                }
                if (name.equals("..")) {
                    up();
                    continue;
                }
                Path entry = Path.of(name);
                PosixFileAttributes seen = attributes(entry);
                Path here = here().resolve(name);
                if (seen.isSymbolicLink()) {
                    if (!rootsOnly.peek() || !root.equals(seen.owner())) {
                        throw new UnsafeFileException(here + " is a symbolic link that root does not own in a "
                                + "directory only root can change");
                    }
                    if (++followed > MAX_LINKS_FOLLOWED) {
                        throw new UnsafeFileException("more than " + MAX_LINKS_FOLLOWED + " symbolic links on its way");
                    }
                    Path target = Files.readSymbolicLink(here); // by name: only root can change the directories up to here
                    if (target.isAbsolute()) {
                        while (dirs.size() > 1) {
                            up();
                        }
                    }
                    List<String> expanded = new ArrayList<>();
                    target.forEach(n -> expanded.add(n.toString()));
                    for (int i = expanded.size() - 1; i >= 0; i--) {
                        todo.addFirst(expanded.get(i));
                    }
                } else if (todo.isEmpty()) {
                    return readFile(entry, here, seen, fromEnd, window);
                } else {
                    down(entry, here, seen);
                }
            }
            throw new UnsafeFileException("it names a directory, not a file");
        }

        private void openRoot() throws UnsafeFileException, IOException {
            DirectoryStream<Path> top = Files.newDirectoryStream(path.getRoot());
            if (!(top instanceof SecureDirectoryStream<Path> secure)) {
                top.close();
                throw new UnsafeFileException("this platform cannot open files without following links");
            }
            push(secure, "");
        }

        private void down(Path entry, Path here, PosixFileAttributes seen) throws UnsafeFileException, IOException {
            if (!seen.isDirectory()) {
                throw new UnsafeFileException(here + " is not a directory");
            }
            SecureDirectoryStream<Path> next;
            try {
                next = dirs.peek().newDirectoryStream(entry, NOFOLLOW);
            } catch (NotDirectoryException e) {
                throw new UnsafeFileException(here + " changed while it was checked");
            }
            push(next, entry.toString());
            if (!ownAttributes().fileKey().equals(seen.fileKey())) {
                throw new UnsafeFileException(here + " changed while it was checked");
            }
        }

        private void push(SecureDirectoryStream<Path> dir, String name) throws IOException {
            boolean parentRootsOnly = rootsOnly.isEmpty() || rootsOnly.peek();
            dirs.push(dir);
            if (!name.isEmpty()) {
                names.add(name);
            }
            PosixFileAttributes a = ownAttributes();
            rootsOnly.push(parentRootsOnly && root.equals(a.owner()) && othersCannotRename(a));
        }

        /** Nobody but the owner can rename entries: not writable by others, or sticky (like /tmp). */
        private boolean othersCannotRename(PosixFileAttributes a) throws IOException {
            Set<PosixFilePermission> p = a.permissions();
            if (!p.contains(PosixFilePermission.GROUP_WRITE) && !p.contains(PosixFilePermission.OTHERS_WRITE)) {
                return true;
            }
            // The sticky bit is only in the "unix" view, read by name: trust it only for this very directory.
            Map<String, Object> unix = Files.readAttributes(here(), "unix:mode,fileKey", NOFOLLOW);
            return a.fileKey().equals(unix.get("fileKey")) && ((Integer) unix.get("mode") & 01000) != 0;
        }

        private void up() throws IOException {
            if (dirs.size() > 1) {
                dirs.pop().close();
                rootsOnly.pop();
                names.remove(names.size() - 1);
            }
        }

        private byte[] readFile(Path entry, Path here, PosixFileAttributes seen, boolean fromEnd, int window)
                throws UnsafeFileException, IOException {
            if (!seen.isRegularFile()) {
                throw new UnsafeFileException("it is not a regular file (" + kind(seen) + ")");
            }
            if (!owner.equals(seen.owner())) {
                throw new UnsafeFileException("it is owned by " + seen.owner().getName() + ", not by " + owner.getName());
            }
            Map<String, Object> unix = Files.readAttributes(here, "unix:nlink,fileKey", NOFOLLOW);
            if (!seen.fileKey().equals(unix.get("fileKey"))) {
                throw new UnsafeFileException("it changed while it was checked");
            }
            int links = (Integer) unix.get("nlink");
            if (links != 1) {
                throw new UnsafeFileException("it has " + links + " links (a hard link to another file?)");
            }
            beforeOpen.accept(here);
            try (SeekableByteChannel in = dirs.peek().newByteChannel(entry,
                    Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
                if (!attributes(entry).fileKey().equals(seen.fileKey())) {
                    throw new UnsafeFileException("it changed while it was opened");
                }
                long size = in.size();
                int n = (int) Math.min(size, window);
                in.position(fromEnd ? size - n : 0);
                ByteBuffer buf = ByteBuffer.allocate(n);
                while (buf.hasRemaining() && in.read(buf) >= 0) {
                    // read the window, or up to the end if the file shrank meanwhile
                }
                byte[] bytes = new byte[buf.position()];
                buf.flip().get(bytes);
                return bytes;
            }
        }

        private PosixFileAttributes attributes(Path entry) throws IOException {
            return dirs.peek().getFileAttributeView(entry, PosixFileAttributeView.class, NOFOLLOW).readAttributes();
        }

        private PosixFileAttributes ownAttributes() throws IOException {
            return dirs.peek().getFileAttributeView(PosixFileAttributeView.class).readAttributes();
        }

        private Path here() {
            return path.getRoot().resolve(String.join("/", names));
        }

        void close() {
            for (SecureDirectoryStream<Path> d : dirs) {
                try {
                    d.close();
                } catch (IOException e) {
                    // nothing was written; a failed close leaves nothing to undo
                }
            }
            dirs.clear();
        }
    }

    private static String kind(PosixFileAttributes a) {
        if (a.isDirectory()) {
            return "a directory";
        }
        return a.isOther() ? "a FIFO, socket or device" : "not a plain file";
    }
}
