package io.hpcspawner.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Gives the answers the HTTP layer makes before a request reaches a resource the API's JSON
 * error body ({@link ApiError}), like every other 4xx: a body declared larger than
 * {@code quarkus.http.limits.max-body-size} (413) and a request the router refuses, e.g. a path
 * or query whose percent-encoding does not decode (400). Requests that are not HTTP at all
 * (header lines too long or with forbidden characters) are refused by the connection's decoder
 * before any route and keep its bare answer.
 */
@ApplicationScoped
public class HttpLayerErrors {

    private final long maxBody;

    public HttpLayerErrors(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K")
            MemorySize maxBody) {
        this.maxBody = maxBody.asLongValue();
    }

    void install(@Observes Router router) {
        // before Quarkus' own check of the declared length, which answers 413 with no body
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::declaredLength);
        router.errorHandler(413, this::refused);
    }

    private void declaredLength(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && tooLarge(length.trim())) {
            // the body is not read: end the connection once the answer is out, as Quarkus does
            ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                    .endHandler(v -> ctx.request().connection().close());
            answer(ctx, 413);
            return;
        }
        ctx.next();
    }

    private boolean tooLarge(String length) {
        try {
            return Long.parseLong(length) > maxBody;
        } catch (NumberFormatException e) {
            return false; // not a length: the HTTP decoder has refused it already
        }
    }

    private void refused(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status < 400 || status > 499 || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        answer(ctx, status);
    }

    private void answer(RoutingContext ctx, int status) {
        ApiError error = switch (status) {
            case 413 -> new ApiError("payload_too_large", "the body is larger than " + maxBody / 1024
                    + " KiB, the most this service reads; a create body must stay under 256 KiB", null);
            case 400 -> new ApiError("bad_request", "the request's path or query is not valid: percent-encode"
                    + " reserved characters as %XX with two hex digits; names use A-Z a-z 0-9 . _ @ + -", null);
            case 404 -> new ApiError("not_found", "no such route; see /q/openapi for the API", null);
            case 405 -> new ApiError("method_not_allowed", "this route does not take " + ctx.request().method(), null);
            default -> new ApiError("bad_request", "the request was refused by the HTTP layer (" + status + ")", null);
        };
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(Json.encode(error));
    }
}
