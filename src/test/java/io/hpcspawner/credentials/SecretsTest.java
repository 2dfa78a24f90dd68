package io.hpcspawner.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Server ids and start secrets drawn on many threads at once (each thread has a generator of its own). */
class SecretsTest {

    @Test
    void idsAndSecretsDrawnOnManyThreadsAtOnceAreAllDifferentAndWellFormed() throws Exception {
        int threads = 16;
        int each = 500;
        Set<String> secrets = ConcurrentHashMap.newKeySet();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        secrets.add(Secrets.newSecret());
                        ids.add(Secrets.newServerId());
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(secrets).hasSize(threads * each).allMatch(s -> s.matches("[0-9a-f]{64}"));
        assertThat(ids).hasSize(threads * each).allMatch(s -> s.matches("[a-km-np-z2-9]{12}"));
    }

    @Test
    void aSecretMatchesOnlyItsOwnHash() {
        String secret = Secrets.newSecret();
        assertThat(Secrets.matches(secret, Secrets.hash(secret))).isTrue();
        assertThat(Secrets.matches(Secrets.newSecret(), Secrets.hash(secret))).isFalse();
    }
}
