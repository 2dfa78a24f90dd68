package io.hpcspawner.api;

import io.hpcspawner.spawn.service.SpawnService;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The admin listing of every server; the hub's credential only. */
@Path("/api/v1/servers")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
public class AdminResource {

    private final SpawnService spawns;

    public AdminResource(SpawnService spawns) {
        this.spawns = spawns;
    }

    @GET
    @RolesAllowed(TokenIdentityProvider.HUB)
    @Operation(summary = "All servers of all users")
    public List<ServerStatus> all() {
        return spawns.list(Optional.empty()).stream().map(ServerStatus::of).toList();
    }
}
