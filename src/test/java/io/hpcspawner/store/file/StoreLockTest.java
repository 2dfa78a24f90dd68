package io.hpcspawner.store.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One live instance per store directory. */
class StoreLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondHolderOfTheSameStoreIsRefusedWithTheDirectoryAndTheHolderNamed() {
        Path store = dir.resolve("servers");
        try (StoreLock first = StoreLock.acquire(store)) {
            assertThatThrownBy(() -> StoreLock.acquire(store)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("the store " + store.toAbsolutePath() + " is in use by another running instance")
                    .hasMessageContaining("pid " + ProcessHandle.current().pid() + " on ")
                    .hasMessageContaining("hpcspawner.store.directory");
        }
    }

    @Test
    void aReleasedOrLeftOverLockFileDoesNotBlock() throws Exception {
        Path store = Files.createDirectories(dir.resolve("servers"));
        Files.writeString(store.resolve(StoreLock.FILE), "pid 1 on elsewhere since 2020-01-01T00:00:00Z\n");
        StoreLock.acquire(store).close(); // a file left by a killed instance: no OS lock, no refusal
        try (StoreLock again = StoreLock.acquire(store)) {
            assertThat(Files.readString(store.resolve(StoreLock.FILE)))
                    .startsWith("pid " + ProcessHandle.current().pid() + " on ");
        }
    }
}
