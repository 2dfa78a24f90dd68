package io.hpcspawner.api;

import io.hpcspawner.probe.CheckResult;
import io.hpcspawner.probe.HealthChecks;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The end-to-end health check on demand: a server started for the check user through the whole
 * path (hub, plugin, service, scheduler, job, proxy), reached, and stopped, with the time of each
 * step. The hub's credential only (the operator's; {@code scripts/health-check.py} calls it).
 */
@Path("/api/v1/admin/health-check")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@RolesAllowed(TokenIdentityProvider.HUB)
public class HealthCheckResource {

    private final HealthChecks checks;

    public HealthCheckResource(HealthChecks checks) {
        this.checks = checks;
    }

    @POST
    @Operation(summary = "Start an end-to-end check in the background; GET follows it")
    @APIResponse(responseCode = "202", description = "The check runs",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CheckResult.class)))
    @APIResponse(responseCode = "409", description = "health_check_not_configured, health_check_running",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public Response start() {
        return Response.accepted(checks.start()).build();
    }

    @GET
    @Operation(summary = "The running check's progress, or the latest check's result")
    @APIResponse(responseCode = "200", description = "state running, passed or failed, with each step's time",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = CheckResult.class)))
    @APIResponse(responseCode = "404", description = "no_health_check: none has run since the service started",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ApiError.class)))
    public CheckResult latest() {
        return checks.latest().orElseThrow(() -> new ApiException(404, "no_health_check",
                "no end-to-end check has run since the service started: POST /api/v1/admin/health-check starts one", null));
    }
}
