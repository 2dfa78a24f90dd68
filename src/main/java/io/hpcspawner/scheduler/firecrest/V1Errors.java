package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * FirecREST v1's errors. The services signal an error with an {@code X-*} header whose value is
 * the server's message, mostly with status 400 (404 for "permission denied" on compute); the
 * header's presence is the error, whatever the status (pyfirecrest reads it the same way). The
 * body is {@code {"description", "error"}}, or Kong's {@code {"message"}} for gateway errors.
 * Compute and storage spell one header {@code X-Machine-Does-Not-Exists} (sic), utilities
 * {@code X-Machine-Does-Not-Exist}: both are recognised.
 */
final class V1Errors implements FirecrestClient.ErrorDialect {

    static final V1Errors INSTANCE = new V1Errors();

    /** The headers in the order they are looked for; transient only where waiting can help. */
    private static final List<Known> KNOWN = List.of(
            new Known("X-Machine-Does-Not-Exist", false,
                    "FirecREST does not know this system: check the system name configured for this cluster"),
            new Known("X-Machine-Does-Not-Exists", false,
                    "FirecREST does not know this system: check the system name configured for this cluster"),
            new Known("X-Machine-Not-Available", true,
                    "The system is down or in maintenance; it will be tried again"),
            new Known("X-Permission-Denied", false,
                    "The user may not use this system or this path: ask the site's support for access"),
            new Known("X-Invalid-Path", false, "The path does not exist or is not valid on the system"),
            new Known("X-Timeout", true, "The command on the cluster timed out; it will be tried again"),
            new Known("X-sbatch-error", false, "sbatch refused the job"),
            new Known("X-Not-Found", false, "Not found on the system"),
            new Known("X-Not-A-Directory", false, "The path is not a directory"),
            new Known("X-A-Directory", false, "The path is a directory"),
            new Known("X-Exists", false, "The path exists already"),
            new Known("X-Invalid-Group", false, "The group is not valid on the system"),
            new Known("X-Invalid-Owner", false, "The owner is not valid on the system"),
            new Known("X-Invalid-Mode", false, "The mode is not valid"));

    private record Known(String header, boolean transientFailure, String advice) {
    }

    private V1Errors() {
    }

    @Override
    public Optional<FirecrestClient.HeaderError> headerError(HttpHeaders headers) {
        for (Known k : KNOWN) {
            Optional<String> value = headers.firstValue(k.header());
            if (value.isPresent()) {
                return Optional.of(new FirecrestClient.HeaderError(k.header(), value.get(), k.transientFailure(),
                        k.advice()));
            }
        }
        // X-Error is v1's catch-all: no advice beyond the server's words; retry only on a 5xx status.
        return Optional.empty();
    }

    @Override
    public Optional<String> words(JsonNode body) {
        List<String> parts = new ArrayList<>();
        for (String field : List.of("description", "error", "message")) {
            String s = JobModels.text(body.path(field)).trim();
            if (!s.isEmpty() && !parts.contains(s)) {
                parts.add(s);
            }
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join(": ", parts));
    }
}
