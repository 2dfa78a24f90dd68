package io.hpcspawner.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.store.file.FileServerStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Readiness says UP only once the server records are loaded, and stays DOWN with the reason when they cannot be. */
class StoreLoadingTest {

    @TempDir
    Path dir;

    @Test
    void readinessIsDownWhileTheStoreLoadsAndUpOnceItIsLoaded() throws Exception {
        new FileServerStore(dir).save(ServerRecords.queued(new ServerKey("kim", ""), "5"));
        CountDownLatch slowDisk = new CountDownLatch(1);
        StoreLoading loading = new StoreLoading(() -> {
            waitFor(slowDisk);
            return new FileServerStore(dir);
        });
        assertThat(loading.call().getStatus()).as("before start-up").isEqualTo(HealthCheckResponse.Status.DOWN);
        loading.start();
        assertThat(loading.call().getStatus()).as("while loading").isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(loading.call().getData().orElseThrow()).containsEntry("store", "loading");
        slowDisk.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> loading.call().getStatus() == HealthCheckResponse.Status.UP);
        assertThat(loading.call().getName()).isEqualTo("server-store");
    }

    @Test
    void aStoreThatCannotBeLoadedKeepsReadinessDownWithTheReason() {
        StoreLoading loading = new StoreLoading(() -> {
            throw new java.io.UncheckedIOException("cannot read the server store in /var/lib/hpcspawner: Permission denied",
                    new java.io.IOException("Permission denied"));
        });
        loading.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !loading.call().getData().orElseThrow().get("store").equals("loading"));
        HealthCheckResponse r = loading.call();
        assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat((String) r.getData().orElseThrow().get("store")).contains("cannot be loaded").contains("Permission denied");
    }

    private static ServerStore waitFor(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return null;
    }
}
