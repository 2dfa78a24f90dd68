package io.hpcspawner.api;

import io.hpcspawner.credentials.UserLogin;
import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.Names;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.service.JobLogs;
import io.hpcspawner.spawn.service.SpawnService;
import io.hpcspawner.spawn.model.StartOutcome;
import io.hpcspawner.spawn.model.StartRequest;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * A user's servers: the default one at {@code /server}, named ones at {@code /servers/{name}}.
 * Thin: call the spawn service, map the answer. Every route is reached by the hub and by the
 * route's own user ({@link ServerAccess#SERVERS_OF_USER}). A named server's route answers as the
 * default server's does: its responses are declared once, on the default server's route, and
 * {@link NamedServerResponses} documents the named route with them.
 */
@Path("/api/v1/users/{user}")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "servers")
@PermissionsAllowed(ServerAccess.SERVERS_OF_USER)
@SecurityScheme(securitySchemeName = ServerResource.API_TOKEN, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "The hub's token, a static user token, or a user's JupyterHub API token with the service's scope"
                + " (JupyterHub's own form 'Authorization: token <token>' is accepted too); where the site turned"
                + " Keycloak tokens on, also a Keycloak access token (keycloakBearer) in the same header")
@SecurityScheme(securitySchemeName = "keycloakBearer", type = SecuritySchemeType.HTTP, scheme = "bearer", bearerFormat = "JWT",
        description = "Only where the site turned it on (quarkus.oidc.tenant-enabled=true, docs/keycloak.md): an access"
                + " token of the site's Keycloak realm for the service's audience, with the role that makes the caller the"
                + " hub (every user's servers, the admin routes) or a user (the servers of the user named by"
                + " preferred_username). Sent as 'Authorization: Bearer <token>' wherever apiToken is required")
public class ServerResource {

    /** The OpenAPI security scheme every route but the ready callback requires (quarkus.smallrye-openapi.security-scheme-name). */
    static final String API_TOKEN = "apiToken";

    private static final int MAX_BODY = 256 * 1024;
    /** Says whether a job log answer left out earlier lines. */
    static final String LOG_TRUNCATED = "X-Log-Truncated";
    /** Names the job whose output a job log answer is. */
    static final String JOB_ID = "X-Job-Id";
    private static final String LINES = "How many of the output's last lines to answer: 1 to 10000, default 1000";

    private final SpawnService spawns;
    private final EventStream events;
    private final JobLogs logs;
    private final SecurityIdentity caller;

    public ServerResource(SpawnService spawns, EventStream events, JobLogs logs, SecurityIdentity caller) {
        this.spawns = spawns;
        this.events = events;
        this.logs = logs;
        this.caller = caller;
    }

    @POST
    @Path("server")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start the default server")
    @APIResponse(responseCode = "202", description = "The start is durable in state submitting; its job is submitted in the background",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServerStatus.class)))
    @APIResponse(responseCode = "200", description = "The start with this startId, answered again",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServerStatus.class)))
    @APIResponse(responseCode = "400", description = "bad_request, invalid_name, invalid_option (field options.<key>: an"
            + " unknown profile or one not open to the user's groups, an option the profile does not offer, a value"
            + " outside what the site and the cluster allow; the message names the allowed values), denied_environment,"
            + " login_required, payload_too_large",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "403", description = "user_not_allowed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "server_active, server_limit; record_changed: another replica of the"
            + " service wrote this server's record meanwhile (several replicas only); repeating the same request is safe",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "503", description = "scheduler_unavailable: the cluster was needed for the create (e.g. the user look-up of a slurmrestd system) and could not be reached; Retry-After says when to try again",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public Response createDefault(@PathParam("user") String user, @Context HttpHeaders headers, CreateServerBody body) {
        return create(user, "", headers, body);
    }

    @POST
    @Path("servers/{server}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a named server")
    public Response createNamed(@PathParam("user") String user, @PathParam("server") String server,
            @Context HttpHeaders headers, CreateServerBody body) {
        return create(user, server, headers, body);
    }

    @GET
    @Path("server")
    @Operation(summary = "Status of the default server")
    @APIResponse(responseCode = "200", description = "OK")
    @APIResponse(responseCode = "404", description = "server_not_found",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public ServerStatus statusDefault(@PathParam("user") String user) {
        return status(user, "");
    }

    @GET
    @Path("servers/{server}")
    @Operation(summary = "Status of a named server")
    public ServerStatus statusNamed(@PathParam("user") String user, @PathParam("server") String server) {
        return status(user, server);
    }

    @DELETE
    @Path("server")
    @Operation(summary = "Stop the default server (cancels its job in every state)")
    @APIResponse(responseCode = "202", description = "The server is stopping (or has ended)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ServerStatus.class)))
    @APIResponse(responseCode = "404", description = "server_not_found",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "record_changed: another replica of the service wrote this server's"
            + " record meanwhile, more often than the service re-reads and decides again (several replicas only);"
            + " repeating the stop is safe",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public Response stopDefault(@PathParam("user") String user) {
        return stop(user, "");
    }

    @DELETE
    @Path("servers/{server}")
    @Operation(summary = "Stop a named server (cancels its job in every state)")
    public Response stopNamed(@PathParam("user") String user, @PathParam("server") String server) {
        return stop(user, server);
    }

    @PUT
    @Path("login")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Hand over the user's current identity-provider tokens (before a stop; a create carries them too)")
    @APIResponse(responseCode = "204", description = "No Content")
    @APIResponse(responseCode = "400", description = "bad_request, invalid_login",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public Response login(@PathParam("user") String user, LoginBody body) {
        Names.requireUser(user);
        if (body == null) {
            throw ApiException.badRequest("bad_request", "a JSON body with refreshToken is required", null);
        }
        spawns.rememberLogin(user, body.toLogin());
        return Response.noContent().build();
    }

    @GET
    @Path("server/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Progress events of the default server's current start (resumable with Last-Event-ID)")
    @APIResponse(responseCode = "200", description = "The events, until the start's terminal one",
            content = @Content(mediaType = MediaType.SERVER_SENT_EVENTS))
    @APIResponse(responseCode = "404", description = "server_not_found",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public void eventsDefault(@PathParam("user") String user,
            @HeaderParam("Last-Event-ID") String lastEventId, @Context SseEventSink sink, @Context Sse sse) {
        events.open(key(user, ""), lastEventId, sink, sse);
    }

    @GET
    @Path("servers/{server}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Progress events of a named server's current start (resumable with Last-Event-ID)")
    public void eventsNamed(@PathParam("user") String user, @PathParam("server") String server,
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Context SseEventSink sink, @Context Sse sse) {
        events.open(key(user, server), lastEventId, sink, sse);
    }

    @GET
    @Path("server/log")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The output of the default server's job (its last lines), read as the user")
    @APIResponse(responseCode = "200", description = "The job's output as text, its last lines when it has more than"
            + " asked for (then X-Log-Truncated is true)",
            headers = {@Header(name = LOG_TRUNCATED, description = "true when earlier lines were left out",
                    schema = @Schema(implementation = Boolean.class)),
                @Header(name = JOB_ID, description = "the scheduler's id of the job", schema = @Schema(implementation = String.class))},
            content = @Content(mediaType = MediaType.TEXT_PLAIN, schema = @Schema(implementation = String.class)))
    @APIResponse(responseCode = "400", description = "bad_request: lines is not a number from 1 to 10000",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "403", description = "log_unreadable: the output cannot be read as the user (e.g. it is a"
            + " link, or not the user's file); the message says why and never shows the file",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "404", description = "server_not_found",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "409", description = "no_job_output: the start has no job yet, or its job is queued and"
            + " has written nothing",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    @APIResponse(responseCode = "503", description = "scheduler_unavailable: the output could not be read now; Retry-After"
            + " says when to try again",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public Response logDefault(@PathParam("user") String user, @QueryParam("lines")
            @Parameter(description = LINES, schema = @Schema(type = SchemaType.INTEGER)) String lines) {
        return log(user, "", lines);
    }

    @GET
    @Path("servers/{server}/log")
    @Produces(MediaType.TEXT_PLAIN)
    @Operation(summary = "The output of a named server's job (its last lines), read as the user")
    public Response logNamed(@PathParam("user") String user, @PathParam("server") String server,
            @QueryParam("lines") @Parameter(description = LINES, schema = @Schema(type = SchemaType.INTEGER))
            String lines) {
        return log(user, server, lines);
    }

    @GET
    @Path("servers")
    @Operation(summary = "All servers of the user")
    public List<ServerStatus> list(@PathParam("user") String user) {
        Names.requireUser(user);
        return spawns.list(Optional.of(user)).stream().map(ServerStatus::of).toList();
    }

    private Response create(String user, String server, HttpHeaders headers, CreateServerBody body) {
        ServerKey key = key(user, server);
        if (headers.getLength() > MAX_BODY) {
            throw ApiException.badRequest("payload_too_large", "the body is larger than 256 KiB", null);
        }
        if (body == null) {
            throw ApiException.badRequest("bad_request", "a JSON body with startId is required", null);
        }
        Map<String, Object> options = body.options() == null ? Map.of() : body.options();
        Map<String, String> env = body.environment() == null ? Map.of() : body.environment();
        Optional<UserLogin> login = Optional.ofNullable(body.login()).map(LoginBody::toLogin);
        StartOutcome outcome = spawns.start(key, new StartRequest(body.startId(), options, env, login, groups(body)));
        return Response.status(outcome.created() ? 202 : 200).entity(ServerStatus.of(outcome.record())).build();
    }

    /** The user's groups as the hub tells them; a user's own credential opens no group's profiles. */
    private List<String> groups(CreateServerBody body) {
        if (body.groups() == null || !caller.hasRole(TokenIdentityProvider.HUB)) {
            return List.of();
        }
        return body.groups().stream().filter(java.util.Objects::nonNull).toList();
    }

    private ServerStatus status(String user, String server) {
        ServerKey key = key(user, server);
        return ServerStatus.of(spawns.status(key));
    }

    private Response stop(String user, String server) {
        ServerKey key = key(user, server);
        return Response.status(202).entity(ServerStatus.of(spawns.stop(key))).build();
    }

    private Response log(String user, String server, String lines) {
        ServerKey key = key(user, server);
        JobLogs.JobLog log = logs.read(key, lineCount(lines));
        return Response.ok(log.text(), MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                .header(LOG_TRUNCATED, log.cut()).header(JOB_ID, log.jobId()).build();
    }

    private static int lineCount(String lines) {
        if (lines == null || lines.isBlank()) {
            return JobLogs.DEFAULT_LINES;
        }
        try {
            return Integer.parseInt(lines.strip());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("bad_request", "lines", "lines must be a number from 1 to " + JobLogs.MAX_LINES);
        }
    }

    private static ServerKey key(String user, String server) {
        return new ServerKey(user, server);
    }
}
