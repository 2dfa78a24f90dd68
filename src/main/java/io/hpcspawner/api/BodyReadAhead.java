package io.hpcspawner.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the body of an API call on the connection's event loop before the call goes to a worker
 * thread. Quarkus REST otherwise hands a blocking resource method a stream that asks the event loop
 * for each part of the body and waits for it: under a burst of creates every worker thread sat
 * idle in those waits (a JFR profile of 1,000 simultaneous creates: ~0.5 s per request), and the
 * worker pool, not the work, set the pace. A body already read is handed to the reader as bytes.
 * The limit stays {@code quarkus.http.limits.max-body-size} ({@link HttpLayerErrors} answers a
 * declared length over it first; a chunked body that grows past it gets the same 413 here).
 */
@ApplicationScoped
public class BodyReadAhead {

    private final long maxBody;

    public BodyReadAhead(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
            MemorySize maxBody) {
        this.maxBody = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(maxBody).setDeleteUploadedFilesOnEnd(true);
        router.route("/api/*").order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1)
                .method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH)
                .handler(ctx -> readAhead(ctx, bodies))
                .failureHandler(this::failed);
    }

    /**
     * A declared empty body has nothing to read ahead, and Vert.x' body handler never ends on one
     * here (the HTTP fuzzer's {@code Content-Length: 0} requests hung): it goes on as it came.
     */
    private static void readAhead(RoutingContext ctx, BodyHandler bodies) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && length.trim().matches("0+")) {
            ctx.next();
        } else {
            bodies.handle(ctx);
        }
    }

    /** A body that grew past the limit while it was read gets the API's JSON error, like one declared too long. */
    private void failed(RoutingContext ctx) {
        if (ctx.statusCode() == 413 && !ctx.response().headWritten()) {
            HttpLayerErrors.payloadTooLarge(ctx, maxBody);
        } else {
            ctx.next();
        }
    }
}
