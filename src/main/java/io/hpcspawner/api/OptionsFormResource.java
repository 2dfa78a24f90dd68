package io.hpcspawner.api;

import io.hpcspawner.spawn.model.Names;
import io.hpcspawner.spawn.service.OptionsForm;
import io.quarkus.security.PermissionsAllowed;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The options form for a user: HTML for the hub's spawn page and the profiles and systems behind it. */
@Path("/api/v1/users/{user}/options-form")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "servers")
public class OptionsFormResource {

    /**
     * The form and what it is built from.
     *
     * @param html the form's fields for the hub's spawn page (works without JavaScript)
     * @param profiles the profiles open to the user, in the order shown, each with its options
     * @param systems the systems shown, each with whether it answers now
     */
    public record FormView(String html, List<OptionsForm.ProfileChoice> profiles,
            List<OptionsForm.SystemChoice> systems) {
    }

    private final OptionsForm form;
    private final SecurityIdentity caller;

    public OptionsFormResource(OptionsForm form, SecurityIdentity caller) {
        this.form = form;
        this.caller = caller;
    }

    @GET
    @PermissionsAllowed(ServerAccess.SERVERS_OF_USER)
    @Operation(summary = "The options form for this user")
    public FormView get(@PathParam("user") String user,
            @Parameter(description = "The user's JupyterHub groups, repeated (?group=a&group=b); honoured only when the"
                    + " hub calls: a user's own call sees the profiles open to everyone")
            @QueryParam("group") List<String> groups) {
        Names.requireUser(user);
        List<String> honoured = caller.hasRole(TokenIdentityProvider.HUB) && groups != null ? groups : List.of();
        OptionsForm.Form built = form.form(user, honoured);
        return new FormView(form.render(user, built), built.profiles(), built.systems());
    }
}
