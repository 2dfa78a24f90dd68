package io.hpcspawner.store.file;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file store of sealed logins: one file per identity, and the list of identities it holds. */
class FileSealedTokenStoreTest {

    @TempDir
    Path dir;

    @Test
    void listsTheIdentitiesItHoldsAndNothingElse() throws Exception {
        FileSealedTokenStore store = new FileSealedTokenStore(dir);
        store.write("alice", "v1:0011aabb:c2VhbGVk");
        store.write("Bob.Example@site", "v1:0011aabb:c2VhbGVk");
        store.write("carol", "x");
        store.delete("carol");
        Files.writeString(dir.resolve("notes.txt"), "not a login");
        Files.writeString(dir.resolve("zz-not-hex.login"), "not a login either");

        assertThat(store.identities()).containsExactlyInAnyOrder("alice", "Bob.Example@site");
        assertThat(store.read("alice")).isEqualTo(Optional.of("v1:0011aabb:c2VhbGVk"));
    }
}
