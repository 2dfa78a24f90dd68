package io.hpcspawner.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.OptionalLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refuses a body declared larger than {@code quarkus.http.limits.max-body-size} with 413 and the
 * API's JSON error body, before Quarkus' own check of the declared length answers with no body.
 * (A chunked body that grows past the limit is refused by {@link BodyReadAhead} with the same answer;
 * requests that are not valid HTTP are refused by the connection's decoder.)
 */
@ApplicationScoped
public class HttpLayerErrors {

    private final long maxBody;

    public HttpLayerErrors(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
            MemorySize maxBody) {
        this.maxBody = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::declaredLength);
    }

    private void declaredLength(RoutingContext ctx) {
        if (declaredLength(ctx.request()).orElse(0) <= maxBody) {
            ctx.next();
            return;
        }
        payloadTooLarge(ctx, maxBody);
    }

    /**
     * The body length the request declares ({@code Content-Length}), if it declares one that is a
     * number (one that is not was refused by the HTTP decoder already); empty for a chunked body.
     */
    static OptionalLong declaredLength(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return OptionalLong.empty();
        }
        try {
            long n = Long.parseLong(length.trim());
            return n < 0 ? OptionalLong.empty() : OptionalLong.of(n);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * Answers 413 with the API's JSON error body and ends the connection once the answer is out,
     * as Quarkus does: the rest of the body is not read.
     */
    static void payloadTooLarge(RoutingContext ctx, long maxBody) {
        ApiError error = new ApiError("payload_too_large", "the body is larger than " + maxBody / 1024
                + " KiB, the most this service reads; a create body must stay under 256 KiB", null);
        ctx.response().setStatusCode(413).putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .endHandler(v -> ctx.request().connection().close())
                .end(Json.encode(error));
    }

}
