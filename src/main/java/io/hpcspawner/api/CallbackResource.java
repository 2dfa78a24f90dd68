package io.hpcspawner.api;

import io.hpcspawner.spawn.service.SpawnService;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The ready signal from the compute node, accepted only with the secret issued for that start.
 * Open to Quarkus Security ({@code @PermitAll}): the credential is the start's own secret, which
 * only the spawn service can check (constant time, {@code SpawnService.ready}); no other
 * credential reaches this route.
 */
@Path("/api/v1/callback/{serverId}")
@Tag(name = "callback")
public class CallbackResource {

    private final SpawnService spawns;
    private final ReadyCallbackMeters failures;

    public CallbackResource(SpawnService spawns, ReadyCallbackMeters failures) {
        this.spawns = spawns;
        this.failures = failures;
    }

    @POST
    @PermitAll
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Report the host and port the server listens on")
    public Response ready(@PathParam("serverId") String serverId, @HeaderParam("Authorization") String authz,
            ReadySignalBody body) {
        try {
            String secret = ApiAuthenticator.bearer(authz);
            if (body == null || body.port() == null) {
                throw ApiException.badRequest("bad_request", "send {\"host\": \"<node>\", \"port\": <number>}", "port");
            }
            spawns.ready(serverId, secret, body.host(), body.port());
        } catch (RuntimeException e) {
            failures.failed(e);
            throw e;
        }
        return Response.noContent().build();
    }
}
