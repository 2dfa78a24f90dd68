package io.hpcspawner.scheduler.firecrest;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.Response;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.atlassian.oai.validator.util.HttpParsingUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.hpcspawner.support.TestResources;
import io.hpcspawner.support.WireMockExchanges;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Checks request/response pairs against one of FirecREST's published OpenAPI documents (v2 2.5.6,
 * v1 1.16.1) with swagger-request-validator. Every message at ERROR level is a failure unless it is
 * excused: by the test, for that exact message key at that exact JSON pointer, with a reason
 * ({@link Excuse}; an excuse that matches nothing is a failure too), or by one of the document's
 * standing {@link Difference}s, which say where the running server is known to differ from its
 * spec (each is shown to be real by the spec contract tests or the recorded answers). Unexpected
 * query parameters are raised from the validator's default IGNORE to ERROR, except the
 * {@link AddedParameter}s a newer server takes (v2: {@code time_window}, with its values only).
 *
 * <p>For v1 the validator is made to check two things the library leaves out: multipart request
 * bodies (it skips every body that is neither JSON nor url-encoded), and the tasks inside a
 * {@code GET /tasks} answer (the spec declares that answer as a list while the server sends an
 * object keyed by task id, so the library stops at the root): each task is checked against the
 * spec's schema for the call that created it and its status.
 */
final class SpecValidator {

    static final String V2_SPEC = "/firecrest/firecrest-v2-openapi-2.5.6.yaml";
    static final String V1_SPEC = "/firecrest/firecrest-v1-api.yaml";

    /** One known spec-vs-code difference, excused by a test for one message key at one JSON pointer. */
    record Excuse(String key, String pointer, String why) {
    }

    /**
     * A standing spec-vs-code difference of a document: on {@code method} and paths matching
     * {@code pathRegex}, answers with {@code status} (0: any), message {@code key} at
     * {@code pointer} is expected, for the reason given.
     */
    record Difference(String method, String pathRegex, int status, String key, String pointer, String why) {
        boolean covers(String m, String path, int s, String k, String p) {
            return m.matches(method) && path.matches(pathRegex) && (status == 0 || status == s) && key.equals(k)
                    && pointer.equals(p);
        }
    }

    static {
        // It says "Security scheme 'oauth2' not currently supported" on every request: the spec offers
        // oauth2 OR bearer, so the validator cannot demand a header; problems() checks the bearer itself.
        java.util.logging.Logger.getLogger("com.atlassian.oai.validator.interaction.request.SecurityValidator")
                .setLevel(java.util.logging.Level.WARNING);
    }

    /**
     * A query parameter a newer server takes that the document does not list: on {@code method}
     * and paths matching {@code pathRegex}, {@code name} with one of {@code values} is taken out
     * of the request before it is validated; any other value is a problem.
     */
    record AddedParameter(String method, String pathRegex, String name, Set<String> values, String why) {
    }

    /**
     * FirecREST 2.5.7 ({@code master} at 35e1d080) takes {@code time_window} on the job listing;
     * 2.5.6, the newest published document, does not list it (and ignores it, as FastAPI ignores
     * every unknown query parameter).
     */
    static final List<AddedParameter> V2_ADDITIONS = List.of(new AddedParameter("GET", "/compute/[^/]+/jobs",
            "time_window", Set.of("1h", "8h", "24h", "3d", "7d"), "2.5.7 narrows the listing's finished jobs with it"));

    /**
     * Where a real FirecREST v2 answers differently from its 2.5.6 document, as the recorded answers
     * show ({@code FirecrestRecordedAnswersTest}): a system without data transfer has
     * {@code "data_transfer": null}, which the document's {@code oneOf} does not allow.
     */
    static final List<Difference> V2_DIFFERENCES = List.of(new Difference("GET", "/status/systems", 200,
            "validation.response.body.schema.oneOf", "/systems/0/dataOperation/data_transfer",
            "a real server sends data_transfer: null for a system without data transfer"));

    /** FirecREST v2 2.5.6 (OpenAPI 3.1, read through {@link Oas31Downgrade}), with the recorded differences. */
    static final SpecValidator V2 = new SpecValidator(V2_SPEC, Oas31Downgrade::toOpenApi30, V2_DIFFERENCES, false,
            V2_ADDITIONS);

    /** FirecREST v1 1.16.1 (OpenAPI 3.0) with the differences the notes list (section 7) and the code shows. */
    static final SpecValidator V1 = new SpecValidator(V1_SPEC, UnaryOperator.identity(), V1Differences.ALL, true,
            List.of());

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OpenApiInteractionValidator validator;
    private final List<Difference> differences;
    private final boolean v1;
    private final List<AddedParameter> additions;
    private final OpenAPI api;
    private final SchemaValidator schemas;
    private final MessageResolver messages;

    private SpecValidator(String resource, UnaryOperator<String> to30, List<Difference> differences, boolean v1,
            List<AddedParameter> additions) {
        String spec = to30.apply(TestResources.read(resource));
        LevelResolver levels = LevelResolver.create()
                // Stricter than the default: a query parameter the document does not know (e.g. 2.5.7's
                // `name` on GET /compute/{system_name}/jobs) would be silently ignored by the server.
                .withLevel("validation.request.parameter.query.unexpected", ValidationReport.Level.ERROR)
                .build();
        this.validator = OpenApiInteractionValidator.createForInlineApiSpecification(spec).withLevelResolver(levels)
                .build();
        this.differences = differences;
        this.v1 = v1;
        this.additions = additions;
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        this.api = new OpenAPIV3Parser().readContents(spec, null, options).getOpenAPI();
        this.messages = new MessageResolver(levels);
        this.schemas = new SchemaValidator(api, messages);
    }

    ValidationReport validate(Request request, Optional<Response> response) {
        ValidationReport report = response.map(r -> validator.validate(request, r))
                .orElseGet(() -> validator.validateRequest(request));
        return v1 ? report.merge(multipartBody(request)) : report;
    }

    /** The raw messages at ERROR level as "key pointer", standing differences NOT applied. */
    List<String> errors(Request request, Response response) {
        return validate(request, Optional.of(response)).getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(m -> m.getKey() + " " + pointer(m)).toList();
    }

    /** The standing differences of this document. */
    List<Difference> differences() {
        return differences;
    }

    /**
     * Validates each exchange in WireMock's journal: the request always, the response unless the
     * stub answered with a network fault (no HTTP response to validate). Returns the problems.
     */
    List<String> problems(List<ServeEvent> journal, List<Excuse> excuses) {
        List<String> problems = new ArrayList<>();
        Set<Excuse> used = new HashSet<>();
        Map<String, ServeEvent> taskCreators = v1 ? taskCreators(journal) : Map.of();
        for (ServeEvent event : journal) {
            LoggedRequest logged = event.getRequest();
            String where = logged.getMethod() + " " + logged.getUrl();
            String path = URI.create(logged.getUrl()).getPath();
            if (!event.getWasMatched()) {
                problems.add(where + ": no stub matched (the adapter sent something the test did not expect)");
            }
            String auth = logged.getHeader("Authorization");
            if (auth == null || !auth.startsWith("Bearer ")) {
                problems.add(where + ": no bearer token");
            }
            if (logged.getHeader("X-Request-ID") == null) {
                problems.add(where + ": no X-Request-ID");
            }
            boolean fault = event.getResponseDefinition() != null && event.getResponseDefinition().getFault() != null;
            int status = fault ? 0 : event.getResponse().getStatus();
            List<String> dropped = new ArrayList<>();
            for (AddedParameter a : additions) {
                if (logged.getMethod().getName().equals(a.method()) && path.matches(a.pathRegex())) {
                    com.github.tomakehurst.wiremock.http.QueryParameter q = logged.queryParameter(a.name());
                    if (q.isPresent()) {
                        dropped.add(a.name());
                        q.values().stream().filter(v -> !a.values().contains(v)).forEach(v -> problems.add(where + ": "
                                + a.name() + "=" + v + " is none of " + new java.util.TreeSet<>(a.values())));
                    }
                }
            }
            ValidationReport report = validate(WireMockExchanges.request(logged, dropped),
                    fault ? Optional.empty() : Optional.of(WireMockExchanges.response(event)));
            if (v1 && !fault && path.equals("/tasks") && status == 200) {
                report = report.merge(tasks(event, taskCreators));
            }
            for (ValidationReport.Message m : report.getMessages()) {
                if (m.getLevel() != ValidationReport.Level.ERROR) {
                    continue;
                }
                String pointer = pointer(m);
                String method = logged.getMethod().getName();
                if (differences.stream().anyMatch(d -> d.covers(method, path, status, m.getKey(), pointer))) {
                    continue;
                }
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

    // ------------------------------------------------------------------ v1: multipart bodies

    /**
     * The library matches a multipart body's content type but skips its content; this checks the
     * fields against the operation's {@code multipart/form-data} schema (each field as a string, as
     * the server reads them), that no field comes twice, and that {@code env} is what its
     * description asks for: a JSON object serialised to a string, with string values.
     */
    private ValidationReport multipartBody(Request request) {
        String contentType = request.getHeaderValue("Content-Type").orElse("");
        if (!contentType.startsWith("multipart/form-data")) {
            return ValidationReport.empty();
        }
        Schema<?> schema = Optional.ofNullable(api.getPaths().get(request.getPath()))
                .map(p -> p.readOperationsMap().get(io.swagger.v3.oas.models.PathItem.HttpMethod.valueOf(
                        request.getMethod().name())))
                .map(o -> o.getRequestBody()).map(b -> b.getContent().get("multipart/form-data"))
                .map(mt -> (Schema<?>) mt.getSchema()).orElse(null);
        if (schema == null) {
            return ValidationReport.singleton(messages.create("validation.request.body.multipart",
                    "no multipart/form-data body is declared for " + request.getMethod() + " " + request.getPath()));
        }
        String body = request.getRequestBody().map(b -> {
            try {
                return b.toString(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).orElse("");
        Map<String, Collection<String>> fields = HttpParsingUtils.parseMultipartFormDataBody(contentType, body).asMap();
        ObjectNode asJson = JSON.createObjectNode();
        ValidationReport report = ValidationReport.empty();
        for (Map.Entry<String, Collection<String>> f : fields.entrySet()) {
            if (f.getValue().size() > 1) {
                report = report.merge(ValidationReport.singleton(messages.create("validation.request.body.multipart",
                        "field '" + f.getKey() + "' is sent " + f.getValue().size() + " times")));
            }
            asJson.put(f.getKey(), f.getValue().iterator().next());
        }
        if (asJson.has("env")) {
            try {
                JsonNode env = JSON.readTree(asJson.get("env").asText());
                boolean strings = env != null && env.isObject();
                for (JsonNode v : env == null ? JSON.createArrayNode() : env) {
                    strings &= v.isTextual();
                }
                if (!strings) {
                    throw new IOException("not an object of strings");
                }
            } catch (IOException e) {
                report = report.merge(ValidationReport.singleton(messages.create("validation.request.body.multipart",
                        "field 'env' is not a serialised JSON object of strings")));
            }
        }
        return report.merge(schemas.validate(asJson.toString(), schema, "request.body"));
    }

    // ------------------------------------------------------------------ v1: tasks

    /** Task id to the exchange whose answer created it. */
    private static Map<String, ServeEvent> taskCreators(List<ServeEvent> journal) {
        Map<String, ServeEvent> creators = new HashMap<>();
        for (ServeEvent e : journal) {
            if (e.getResponse() == null || e.getRequest().getUrl().startsWith("/tasks")) {
                continue;
            }
            try {
                JsonNode body = JSON.readTree(e.getResponse().getBodyAsString());
                if (body != null && body.path("task_id").isTextual()) {
                    creators.put(body.path("task_id").asText(), e);
                }
            } catch (IOException ignored) {
                // not JSON: not a task creation
            }
        }
        return creators;
    }

    /**
     * Each task of a {@code GET /tasks} answer against the spec's schema for its creating call and
     * status; a task that no call of this test created, or whose key is not its id, is a problem.
     */
    private ValidationReport tasks(ServeEvent event, Map<String, ServeEvent> creators) {
        JsonNode body;
        try {
            body = JSON.readTree(event.getResponse().getBodyAsString());
        } catch (IOException e) {
            return ValidationReport.empty(); // already reported by the library
        }
        ValidationReport report = ValidationReport.empty();
        JsonNode tasks = body == null ? JSON.missingNode() : body.path("tasks");
        if (!tasks.isObject()) {
            return ValidationReport.singleton(messages.create("validation.response.body.tasks",
                    "\"tasks\" is not an object keyed by task id"));
        }
        for (Map.Entry<String, JsonNode> t : (Iterable<Map.Entry<String, JsonNode>>) tasks::fields) {
            JsonNode task = t.getValue();
            if (!t.getKey().equals(task.path("task_id").asText())) {
                report = report.merge(ValidationReport.singleton(messages.create("validation.response.body.tasks",
                        "key " + t.getKey() + " is not the task_id of its task")));
            }
            ServeEvent creator = creators.get(t.getKey());
            if (creator == null) {
                report = report.merge(ValidationReport.singleton(messages.create("validation.response.body.tasks",
                        "task " + t.getKey() + " was not created by any call of this test")));
                continue;
            }
            String method = creator.getRequest().getMethod().getName();
            String path = URI.create(creator.getRequest().getUrl()).getPath();
            String status = task.path("status").asText("");
            String schemaName = V1Differences.taskSchema(method, path, status);
            report = report.merge(check(task, schemaName, "response.body.tasks." + t.getKey(), method, path, status));
            if (schemaName.equals("Task-Compute-Job-Listed-200")) {
                // The spec's "index" property stands for each key "0", "1"... of the listing.
                for (Map.Entry<String, JsonNode> row : (Iterable<Map.Entry<String, JsonNode>>) task.path("data")::fields) {
                    report = report.merge(check(row.getValue(), "Job-Listed-Object",
                            "response.body.tasks." + t.getKey() + ".data." + row.getKey(), method, path, status));
                }
            }
        }
        return report;
    }

    private ValidationReport check(JsonNode value, String schemaName, String prefix, String method, String path,
            String status) {
        Schema<?> schema = api.getComponents().getSchemas().get(schemaName);
        if (schema == null) {
            throw new IllegalStateException("no schema " + schemaName + " in " + V1_SPEC);
        }
        ValidationReport report = schemas.validate(value.toString(), schema, prefix);
        List<ValidationReport.Message> kept = new ArrayList<>();
        for (ValidationReport.Message m : report.getMessages()) {
            if (!V1Differences.taskDifference(schemaName, method, path, m.getKey(), pointer(m))) {
                kept.add(m);
            }
        }
        return ValidationReport.from(kept);
    }

    // ------------------------------------------------------------------ WireMock to validator

    static String pointer(ValidationReport.Message m) {
        return m.getContext().flatMap(ValidationReport.MessageContext::getPointers)
                .map(ValidationReport.MessageContext.Pointers::getInstance).orElse("");
    }

}
