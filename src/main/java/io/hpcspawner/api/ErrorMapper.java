package io.hpcspawner.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.model.ConflictException;
import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.logging.LogText;
import io.hpcspawner.spawn.model.Names;
import io.hpcspawner.spawn.model.ServerNotFoundException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import java.lang.annotation.Annotation;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/** Maps every failure to a JSON {@link ApiError}; nothing reaches the caller as a bare 500 or stack trace. */
public class ErrorMapper {

    private static final Logger LOG = Logger.getLogger(ErrorMapper.class);

    @Inject
    SecurityIdentity identity;
    /** The wait a 503 scheduler_unavailable suggests when the scheduler named none. */
    static final long SCHEDULER_RETRY_SECONDS = 10;

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response r = error(e.status(), e.code(), e.getMessage(), e.field());
        return e.retryAfter().map(wait -> Response.fromResponse(r).header("Retry-After", Math.max(1, wait.toSeconds())).build())
                .orElse(r);
    }

    /**
     * A credential the token mechanism refused: the API's own answer (401, 403 missing_scope, 429, 503);
     * a Keycloak token quarkus-oidc refused: 401 saying why.
     */
    @ServerExceptionMapper
    public Response notAuthenticated(AuthenticationFailedException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ApiException refused) {
                return api(refused);
            }
        }
        // quarkus-oidc's refusal of a Keycloak token
        return api(ApiException.unauthorized(KeycloakRefusal.reason(e).map(why -> "the Keycloak token was refused: " + why)
                .orElse("the token is not valid for this service")));
    }

    /** No credential on a route that needs one. */
    @ServerExceptionMapper
    public Response anonymous(UnauthorizedException e) {
        return api(ApiException.unauthorized("send Authorization: Bearer <token>"));
    }

    /**
     * A credential that does not reach this route: a user's, on another user's servers or on an
     * admin route; anyone's, on a route that declares no rule (denied by default).
     */
    @ServerExceptionMapper
    public Response notAllowed(ForbiddenException e, SimpleResourceInfo route, UriInfo uri) {
        String user = uri == null ? null : uri.getPathParameters().getFirst("user");
        if (user != null) {
            try {
                Names.requireUser(user); // a malformed name is 400 invalid_name whoever asks, as the routes answered
            } catch (InvalidRequestException malformed) {
                return invalid(malformed);
            }
        }
        String message;
        if (declares(route, RolesAllowed.class)) {
            message = "only the hub's credential may list all servers";
        } else if (declares(route, PermissionsAllowed.class)) {
            message = "this credential reaches only the servers of " + identity.getPrincipal().getName();
        } else {
            message = "this route declares no rule of who may call it, so nobody may";
        }
        return api(ApiException.forbidden(message));
    }

    private static boolean declares(SimpleResourceInfo route, Class<? extends Annotation> rule) {
        if (route == null) {
            return false;
        }
        try {
            return route.getResourceClass().isAnnotationPresent(rule) || route.getResourceClass()
                    .getMethod(route.getMethodName(), route.parameterTypes()).isAnnotationPresent(rule);
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    @ServerExceptionMapper
    public Response invalid(InvalidRequestException e) {
        return error(400, e.code(), e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response notFound(ServerNotFoundException e) {
        return error(404, "server_not_found", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response userNotAllowed(io.hpcspawner.spawn.model.UserNotAllowedException e) {
        return error(403, "user_not_allowed", e.getMessage(), "user");
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return error(409, e.code(), e.getMessage(), null);
    }

    /** A job log the user may not read (a link, another's file): why, never what is in it. */
    @ServerExceptionMapper
    public Response unreadableLog(io.hpcspawner.spawn.service.JobLogs.UnreadableLogException e) {
        return error(403, "log_unreadable", e.getMessage(), null);
    }

    @ServerExceptionMapper
    public Response forbiddenSecret(SecurityException e) {
        return error(401, "unauthorized", e.getMessage(), null);
    }

    /** A call that needed the cluster's scheduler API now, and could not reach it: try again later. */
    @ServerExceptionMapper
    public Response scheduler(SchedulerException e) {
        long wait = Math.max(1, e.retryAfter().map(java.time.Duration::toSeconds).orElse(SCHEDULER_RETRY_SECONDS));
        return Response.fromResponse(error(503, "scheduler_unavailable", "the cluster could not be reached: "
                + e.getMessage() + "; try again in " + wait + " s", null)).header("Retry-After", wait).build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
    public Response mismatched(com.fasterxml.jackson.databind.exc.MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER - 100)
    public Response json(JsonProcessingException e) {
        if (e.getCause() instanceof ApiException refused) {
            return api(refused); // a limit enforced while the body was read (CreateBodyLimit)
        }
        if (e instanceof UnrecognizedPropertyException u) {
            return error(400, "bad_request", "unknown field \"" + u.getPropertyName() + "\"; known fields: "
                    + u.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(Collectors.joining(", ")),
                    u.getPropertyName());
        }
        String where = e instanceof JsonMappingException m && !m.getPath().isEmpty()
                ? m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                        .collect(Collectors.joining("."))
                : null;
        String detail = e.getOriginalMessage().replaceAll("\\s*\\(.*", "").replaceAll("\n.*", "")
                .replaceAll("`?(?:[a-z_][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_$]*)`?", "$1")
                .replace("CreateServerBody", "a create body").replace("ReadySignalBody", "a ready signal");
        return error(400, "bad_request", "the body is not valid JSON for this call: " + detail
                + (where == null ? "; send a JSON object, e.g. {\"startId\": \"...\"}" : ""), where);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            if (c instanceof ApiException refused) {
                return api(refused); // a limit enforced while the body was read (CreateBodyLimit)
            }
        }
        int status = e.getResponse().getStatus();
        String code = switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406, 415 -> "unsupported_media_type";
            case 413 -> "payload_too_large";
            default -> status >= 500 ? "internal" : "bad_request";
        };
        String message = e.getCause() instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        return error(status, code, message == null ? "HTTP " + status : message, null);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("Unexpected failure", e);
        return error(500, "internal", "internal error (" + e.getClass().getSimpleName() + "); see the service log", null);
    }

    static Response error(int status, String code, String message, String field) {
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ApiError(code, visible(message), visible(field))).build();
    }

    /**
     * An error message or field name may quote what the caller sent: shown as is, a newline or a
     * bidi override could fake lines or reorder text wherever the hub shows or logs the message.
     * Escaped exactly as the log filter escapes log lines.
     */
    static String visible(String text) {
        return LogText.escape(text);
    }
}
