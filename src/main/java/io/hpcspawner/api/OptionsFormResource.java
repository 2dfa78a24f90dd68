package io.hpcspawner.api;

import io.hpcspawner.spawn.model.Names;
import io.hpcspawner.spawn.service.OptionsForm;
import io.quarkus.security.PermissionsAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The options form for a user: HTML for the hub's spawn page and the profiles behind it. */
@Path("/api/v1/users/{user}/options-form")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "servers")
public class OptionsFormResource {

    /** The form and its profiles. */
    public record FormView(String html, List<OptionsForm.ProfileChoice> profiles) {
    }

    private final OptionsForm form;

    public OptionsFormResource(OptionsForm form) {
        this.form = form;
    }

    @GET
    @PermissionsAllowed(ServerAccess.SERVERS_OF_USER)
    @Operation(summary = "The options form for this user")
    public FormView get(@PathParam("user") String user) {
        Names.requireUser(user);
        return new FormView(form.html(user), form.choices());
    }
}
