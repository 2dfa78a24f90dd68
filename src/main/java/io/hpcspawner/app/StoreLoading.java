package io.hpcspawner.app;

import io.hpcspawner.spawn.port.ServerStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Loads the server records at start-up, on a thread of its own so the rest of the start does not
 * wait for it, and keeps readiness ({@code GET /q/health/ready}, check {@code server-store}) DOWN
 * until they are loaded: the service is not sent traffic it would answer late. A request that
 * comes earlier still gets a right answer; it waits for the load. A store that cannot be loaded
 * keeps readiness DOWN with the reason.
 */
@Readiness
@ApplicationScoped
public class StoreLoading implements HealthCheck {

    private static final Logger LOG = Logger.getLogger(StoreLoading.class);
    static final String CHECK = "server-store";

    private final Supplier<ServerStore> store;
    private volatile CompletableFuture<Long> loaded;

    @Inject
    public StoreLoading(Instance<ServerStore> store) {
        this(store::get);
    }

    /** Loads the store that {@code store} opens (the first call opens it; it may take seconds with many records). */
    StoreLoading(Supplier<ServerStore> store) {
        this.store = store;
    }

    /** After the store's lock is taken ({@code ServiceWiring.lockStore}, priority 1). */
    void onStart(@Observes @Priority(10) StartupEvent event) {
        start();
    }

    /** Starts the load once; later calls change nothing. */
    synchronized void start() {
        if (loaded == null) {
            loaded = CompletableFuture.supplyAsync(this::load, command -> {
                Thread t = new Thread(command, "server-store-load");
                t.setDaemon(true);
                t.start();
            });
        }
    }

    private long load() {
        long t0 = System.nanoTime();
        try {
            store.get().findById(""); // opening the store reads every record; this look-up only forces the opening
        } catch (RuntimeException e) {
            LOG.errorf("The server store cannot be loaded; readiness stays DOWN: %s", e.getMessage());
            throw e;
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Override
    public HealthCheckResponse call() {
        CompletableFuture<Long> f = loaded;
        if (f == null || !f.isDone()) {
            return HealthCheckResponse.named(CHECK).down().withData("store", "loading").build();
        }
        if (f.isCompletedExceptionally()) {
            String reason = f.handle((ms, e) -> e.getCause() != null ? e.getCause().getMessage() : e.getMessage()).join();
            return HealthCheckResponse.named(CHECK).down().withData("store", "cannot be loaded: " + reason).build();
        }
        return HealthCheckResponse.named(CHECK).up().withData("store", "loaded in " + f.join() + " ms").build();
    }
}
