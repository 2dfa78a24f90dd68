package io.hpcspawner.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** A route as a new one would look if its author forgot the security declaration (tests only; hidden from the document). */
@Path("/api/v1/test-only/undeclared")
public class UndeclaredRouteProbe {

    @GET
    @Operation(hidden = true)
    public String secret() {
        return "reached";
    }
}
