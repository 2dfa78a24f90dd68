package io.hpcspawner.scheduler.firecrest;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.Response;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks request/response pairs against FirecREST's published OpenAPI document (2.5.6) with
 * swagger-request-validator. Every message at ERROR level is a failure unless the test excused
 * that exact message key at that exact JSON pointer, with a reason ({@link Excuse}); an excuse that
 * matches nothing is a failure too, so none outlives the difference it was written for.
 * Unexpected query parameters are raised from the validator's default IGNORE to ERROR.
 */
final class SpecValidator {

    static final String SPEC = "/firecrest/firecrest-v2-openapi-2.5.6.yaml";

    /** One known spec-vs-code difference, excused for one message key at one JSON pointer. */
    record Excuse(String key, String pointer, String why) {
    }

    static {
        // It says "Security scheme 'oauth2' not currently supported" on every request: the spec offers
        // oauth2 OR bearer, so the validator cannot demand a header; problems() checks the bearer itself.
        java.util.logging.Logger.getLogger("com.atlassian.oai.validator.interaction.request.SecurityValidator")
                .setLevel(java.util.logging.Level.WARNING);
    }

    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForInlineApiSpecification(Oas31Downgrade.toOpenApi30(read(SPEC)))
            .withLevelResolver(LevelResolver.create()
                    // Stricter than the default: a query parameter 2.5.6 does not know (e.g. 2.5.7's
                    // `name` on GET /compute/{system_name}/jobs) would be silently ignored by the server.
                    .withLevel("validation.request.parameter.query.unexpected", ValidationReport.Level.ERROR)
                    .build())
            .build();

    private SpecValidator() {
    }

    static ValidationReport validate(Request request, Optional<Response> response) {
        return response.map(r -> VALIDATOR.validate(request, r)).orElseGet(() -> VALIDATOR.validateRequest(request));
    }

    /**
     * Validates each exchange in WireMock's journal: the request always, the response unless the
     * stub answered with a network fault (no HTTP response to validate). Returns the problems.
     */
    static List<String> problems(List<ServeEvent> journal, List<Excuse> excuses) {
        List<String> problems = new ArrayList<>();
        Set<Excuse> used = new HashSet<>();
        for (ServeEvent event : journal) {
            LoggedRequest logged = event.getRequest();
            String where = logged.getMethod() + " " + logged.getUrl();
            if (!event.getWasMatched()) {
                problems.add(where + ": no stub matched (the adapter sent something the test did not expect)");
            }
            String auth = logged.getHeader("Authorization");
            if (auth == null || !auth.startsWith("Bearer ")) {
                // The spec's security is "oauth2 OR bearer"; the validator cannot check the oauth2 branch.
                problems.add(where + ": no bearer token");
            }
            if (logged.getHeader("X-Request-ID") == null) {
                problems.add(where + ": no X-Request-ID");
            }
            boolean fault = event.getResponseDefinition() != null && event.getResponseDefinition().getFault() != null;
            ValidationReport report = validate(request(logged),
                    fault ? Optional.empty() : Optional.of(response(event)));
            for (ValidationReport.Message m : report.getMessages()) {
                if (m.getLevel() != ValidationReport.Level.ERROR) {
                    continue;
                }
                String pointer = pointer(m);
                Optional<Excuse> excuse = excuses.stream()
                        .filter(x -> x.key().equals(m.getKey()) && x.pointer().equals(pointer)).findFirst();
                if (excuse.isPresent()) {
                    used.add(excuse.get());
                } else {
                    problems.add(where + ": " + m.getKey() + " at '" + pointer + "': " + m.getMessage());
                }
            }
        }
        for (Excuse x : excuses) {
            if (!used.contains(x)) {
                problems.add("excuse not needed (remove it): " + x);
            }
        }
        return problems;
    }

    static String pointer(ValidationReport.Message m) {
        return m.getContext().flatMap(ValidationReport.MessageContext::getPointers)
                .map(ValidationReport.MessageContext.Pointers::getInstance).orElse("");
    }

    static Request request(LoggedRequest logged) {
        URI uri = URI.create(logged.getUrl());
        SimpleRequest.Builder b = new SimpleRequest.Builder(logged.getMethod().getName(), uri.getPath());
        logged.getQueryParams().forEach((name, param) -> b.withQueryParam(name, param.values()));
        headers(logged.getHeaders()).forEach(h -> b.withHeader(h.key(), h.values()));
        String body = logged.getBodyAsString();
        if (body != null && !body.isEmpty()) {
            b.withBody(body);
        }
        return b.build();
    }

    static Response response(ServeEvent event) {
        SimpleResponse.Builder b = SimpleResponse.Builder.status(event.getResponse().getStatus());
        headers(event.getResponse().getHeaders()).forEach(h -> b.withHeader(h.key(), h.values()));
        String body = event.getResponse().getBodyAsString();
        if (body != null && !body.isEmpty()) {
            b.withBody(body);
        }
        return b.build();
    }

    private static List<HttpHeader> headers(HttpHeaders headers) {
        return headers == null ? List.of() : new ArrayList<>(headers.all());
    }

    private static String read(String resource) {
        try (InputStream in = SpecValidator.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
