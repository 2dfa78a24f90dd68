package io.hpcspawner.store.file;

import io.hpcspawner.credentials.keycloak.SealedTokenStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Users' encrypted refresh tokens, one file per identity (named by the hex of the name, mode
 * 0600), written crash-safely. The content is ciphertext only; the key lives elsewhere.
 */
public final class FileSealedTokenStore implements SealedTokenStore {

    private static final String SUFFIX = ".login";

    private final Path directory;

    public FileSealedTokenStore(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the login store " + directory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<String> read(String identity) {
        try {
            return Optional.of(Files.readString(fileOf(identity), StandardCharsets.US_ASCII).strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the stored login of " + identity + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String identity, String sealed) {
        try {
            AtomicFile.write(fileOf(identity), sealed.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the login of " + identity + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void delete(String identity) {
        try {
            Files.deleteIfExists(fileOf(identity));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the stored login of " + identity + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Set<String> identities() {
        Set<String> identities = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                String hex = name.substring(0, name.length() - SUFFIX.length());
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && hex.matches("([0-9a-f]{2})+")) {
                    identities.add(new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the login store " + directory + ": " + e.getMessage(), e);
        }
        return identities;
    }

    private Path fileOf(String identity) {
        return directory.resolve(HexFormat.of().formatHex(identity.getBytes(StandardCharsets.UTF_8)) + SUFFIX);
    }
}
