package io.hpcspawner.api;

import io.hpcspawner.spawn.model.HeldOrphan;
import io.hpcspawner.spawn.service.OrphanSweep;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The operator's view of jobs without a server: those held instead of cancelled (too many at once,
 * older than the store, no deployment in the name) and other deployments sharing the prefix; and
 * the release of held jobs for cancelling. The hub's credential only.
 */
@Path("/api/v1/admin/orphans")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "admin")
@RolesAllowed(TokenIdentityProvider.HUB)
public class OrphansResource {

    /** What the sweep holds and sees. */
    public record OrphansView(List<HeldOrphan> held, Map<String, Map<String, Integer>> otherDeployments) {
    }

    /** Which held jobs to release; without {@code jobIds}, all of them. */
    public record ReleaseBody(List<String> jobIds) {
    }

    /** What a release did. */
    public record Released(List<HeldOrphan> released) {
    }

    private final OrphanSweep sweep;

    public OrphansResource(OrphanSweep sweep) {
        this.sweep = sweep;
    }

    @GET
    @Operation(summary = "Jobs of this deployment held instead of cancelled, and other deployments seen with its prefix")
    public OrphansView list() {
        return new OrphansView(sweep.held(), sweep.otherDeployments());
    }

    @POST
    @Path("release")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Release held jobs: the next watcher round cancels those still without a server")
    public Released release(ReleaseBody body) {
        Optional<List<String>> ids = Optional.ofNullable(body).map(ReleaseBody::jobIds);
        ids.ifPresent(list -> {
            if (list.size() > 10_000 || list.stream().anyMatch(id -> id == null || !id.matches("[A-Za-z0-9_+.\\[\\]-]{1,64}"))) {
                throw ApiException.badRequest("bad_request", "jobIds must be a list of job ids as GET /api/v1/admin/orphans"
                        + " shows them, e.g. [\"4711\"]; leave it out to release every held job", "jobIds");
            }
        });
        return new Released(sweep.release(ids.map(List::copyOf)));
    }
}
