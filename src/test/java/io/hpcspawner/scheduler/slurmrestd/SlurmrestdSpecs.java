package io.hpcspawner.scheduler.slurmrestd;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.hpcspawner.support.TestResources;
import io.hpcspawner.support.WireMockExchanges;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenAPI documents real slurmrestd servers serve at {@code GET /openapi/v3}: Slurm 24.11's
 * (v0.0.40, v0.0.41, v0.0.42) and Slurm 22.05's (v0.0.36 to v0.0.38). {@link #problems} checks
 * every exchange of a WireMock journal, the adapter's request and the stand-in's answer, with
 * swagger-request-validator; each message at ERROR level is a problem. For Slurm 22.05 only the
 * requests are checked: its document does not describe its own answers (integer versions where it
 * says strings, nulls, undeclared properties, bodies on answers it declares empty), as the
 * recorded real answers show.
 */
final class SlurmrestdSpecs {

    static final String SLURM_24_11 = "/slurmrestd/slurm-24.11/openapi-v3.json";
    static final String SLURM_22_05 = "/slurmrestd/openapi-v3.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static OpenApiInteractionValidator slurm2411;
    private static OpenApiInteractionValidator slurm2205;

    private SlurmrestdSpecs() {
    }

    /** The validator for the document that describes {@code version}. */
    static synchronized OpenApiInteractionValidator validatorFor(SlurmrestdApiVersion version) {
        if (version == SlurmrestdApiVersion.V0_0_38) {
            if (slurm2205 == null) {
                slurm2205 = OpenApiInteractionValidator.createForInlineApiSpecification(onlyV0038(read(SLURM_22_05)))
                        .build();
            }
            return slurm2205;
        }
        if (slurm2411 == null) {
            slurm2411 = OpenApiInteractionValidator.createForInlineApiSpecification(read(SLURM_24_11)).build();
        }
        return slurm2411;
    }

    /**
     * Slurm 22.05's document repeats each operationId under v0.0.36, v0.0.37 and v0.0.38, which the
     * validator refuses to load: keep the v0.0.38 paths only (the ones this adapter calls).
     */
    private static String onlyV0038(String document) {
        try {
            ObjectNode doc = (ObjectNode) JSON.readTree(document);
            ((ObjectNode) doc.path("paths")).retain(iterable(doc.path("paths").fieldNames()).stream()
                    .filter(p -> p.startsWith("/slurm/v0.0.38/")).toList());
            return doc.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> iterable(java.util.Iterator<String> names) {
        List<String> all = new ArrayList<>();
        names.forEachRemaining(all::add);
        return all;
    }

    /** Every exchange of the journal checked: an unmatched request, or any ERROR message, is a problem. */
    static List<String> problems(OpenApiInteractionValidator validator, List<ServeEvent> journal) {
        List<String> problems = new ArrayList<>();
        for (ServeEvent e : journal) {
            LoggedRequest r = e.getRequest();
            String where = r.getMethod() + " " + r.getUrl();
            if (!e.getWasMatched()) {
                problems.add(where + ": no stub matched");
                continue;
            }
            ValidationReport report = validator == slurm2205 ? validator.validateRequest(WireMockExchanges.request(r))
                    : validator.validate(WireMockExchanges.request(r), WireMockExchanges.response(e));
            for (ValidationReport.Message m : report.getMessages()) {
                if (m.getLevel() == ValidationReport.Level.ERROR && !documentFlaw(m)) {
                    problems.add(where + ": " + m.getKey() + ": " + m.getMessage());
                }
            }
        }
        return problems;
    }

    /**
     * Slurm 24.11's document lists some required properties of v0.0.41 objects by flattened names
     * ({@code "nodes/allocation"}, {@code "cpus/count"}) that no object can have: the real answers
     * carry them nested, as the same document's {@code properties} describe. Such a message is the
     * document's flaw, not the answer's.
     */
    private static boolean documentFlaw(ValidationReport.Message m) {
        return m.getKey().equals("validation.response.body.schema.required")
                && m.getMessage().matches("(?s).*missing required properties \\(\\[(\"[^\"]*/[^\"]*\",?)+\\]\\).*");
    }

    /** Just the request, e.g. a body built by hand. */
    static List<String> requestProblems(OpenApiInteractionValidator validator, String method, String path, String body) {
        SimpleRequest.Builder b = new SimpleRequest.Builder(method, path).withContentType("application/json")
                .withHeader("X-SLURM-USER-NAME", "alice").withHeader("X-SLURM-USER-TOKEN", "t");
        if (body != null) {
            b.withBody(body);
        }
        return validator.validateRequest(b.build()).getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR).map(m -> m.getKey() + ": " + m.getMessage())
                .toList();
    }

    /** A test resource (a document, a recorded answer) as text. */
    static String read(String resource) {
        return TestResources.read(resource);
    }
}
