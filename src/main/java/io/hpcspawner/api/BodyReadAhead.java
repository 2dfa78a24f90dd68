package io.hpcspawner.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the body of an API call on the connection's event loop before the call goes to a worker
 * thread. Quarkus REST otherwise hands a blocking resource method a stream that asks the event loop
 * for each part of the body and waits for it: under a burst of creates every worker thread sat
 * idle in those waits (a JFR profile of 1,000 simultaneous creates: ~0.5 s per request), and the
 * worker pool, not the work, set the pace. A body already read is handed to the reader as bytes.
 * The limit stays {@code quarkus.http.limits.max-body-size} ({@link HttpLayerErrors} answers a
 * declared length over it first; a chunked body that grows past it gets the same 413 here).
 * What all bodies read ahead may hold at once is bounded ({@link ReadAheadBudget}, {@value #BUDGET_BODIES}
 * times the limit): a body declared at its length, a chunked one at the limit; past it a request goes on
 * unread and is streamed to its worker as before.
 */
@ApplicationScoped
public class BodyReadAhead {

    /** How many bodies of the largest size the read-ahead may hold at once (16 MiB with the 1 MiB limit). */
    static final int BUDGET_BODIES = 16;
    /** The routing context's key of a read-ahead's release of its reservation. */
    private static final String RELEASE = BodyReadAhead.class.getName() + ".release";

    private final long maxBody;
    private final ReadAheadBudget budget;

    public BodyReadAhead(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
            MemorySize maxBody) {
        this.maxBody = maxBody.asLongValue();
        this.budget = new ReadAheadBudget(BUDGET_BODIES * this.maxBody);
    }

    /** The bytes the read-ahead holds now, for tests. */
    long held() {
        return budget.held();
    }

    void install(@Observes Router router) {
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(maxBody).setDeleteUploadedFilesOnEnd(true);
        router.route("/api/*").order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1)
                .method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
                .handler(ctx -> readAhead(ctx, bodies, budget, maxBody))
                .failureHandler(this::failed);
    }

    /**
     * A declared empty body has nothing to read ahead, and Vert.x' body handler never ends on one
     * here (the HTTP fuzzer's {@code Content-Length: 0} requests hung): it goes on as it came.
     */
    private static void readAhead(RoutingContext ctx, BodyHandler bodies, ReadAheadBudget budget, long maxBody) {
        OptionalLong declared = HttpLayerErrors.declaredLength(ctx.request());
        if (declared.isPresent() && declared.getAsLong() == 0) {
            ctx.next();
            return;
        }
        long bytes = declared.orElse(maxBody);
        if (!budget.tryReserve(bytes)) {
            ctx.next(); // the budget is spent: streamed to the worker, as without the read-ahead
            return;
        }
        // once, when the answer is out or the connection gone (a client cut off mid-body ends no answer)
        AtomicBoolean released = new AtomicBoolean();
        Runnable release = () -> {
            if (released.compareAndSet(false, true)) {
                budget.release(bytes);
            }
        };
        ctx.addEndHandler(ended -> release.run());
        ctx.put(RELEASE, release);
        bodies.handle(ctx);
    }

    /**
     * A body that grew past the limit while it was read gets the API's JSON error, like one declared too
     * long; a body cut off by its client ends quietly (anyone reaching the port could fill the log otherwise).
     */
    private void failed(RoutingContext ctx) {
        if (ctx.failure() instanceof HttpClosedException) {
            Runnable release = ctx.get(RELEASE);
            if (release != null) {
                release.run(); // no answer will end: give the reservation back here
            }
            return; // the client went away mid-body: no one to answer, and nothing for an error log
        }
        if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
            HttpLayerErrors.payloadTooLarge(ctx, maxBody);
        } else {
            ctx.next();
        }
    }
}
