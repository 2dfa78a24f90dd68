package io.hpcspawner.api;

import io.hpcspawner.spawn.Names;
import io.hpcspawner.spawn.OptionsForm;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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
    private final ApiAuthenticator auth;

    public OptionsFormResource(OptionsForm form, ApiAuthenticator auth) {
        this.form = form;
        this.auth = auth;
    }

    @GET
    @Operation(summary = "The options form for this user")
    public FormView get(@PathParam("user") String user, @HeaderParam("Authorization") String authz) {
        Names.requireUser(user);
        auth.authorize(authz, user);
        return new FormView(form.html(user), form.choices());
    }
}
