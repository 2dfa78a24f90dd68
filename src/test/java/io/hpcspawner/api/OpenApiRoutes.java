package io.hpcspawner.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The routes of the checked-in OpenAPI document ({@code docs/openapi.yaml}, kept equal to the
 * served one by {@code ApiInputAndAuthTest}), so suites generated from it cover a new route
 * without being edited.
 */
final class OpenApiRoutes {

    static final Path DOCUMENT = Path.of("docs/openapi.yaml");
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    /** One operation: its method, path template, parameters and request body schema (refs resolved). */
    record Operation(String method, String template, List<String> pathParams, List<String> headerParams,
            Optional<JsonNode> body) {

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    private final JsonNode document;

    private OpenApiRoutes(JsonNode document) {
        this.document = document;
    }

    static OpenApiRoutes read() {
        try {
            return new OpenApiRoutes(new ObjectMapper(new YAMLFactory()).readTree(DOCUMENT.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The path templates, in document order. */
    List<String> paths() {
        List<String> out = new ArrayList<>();
        document.path("paths").fieldNames().forEachRemaining(out::add);
        return out;
    }

    List<Operation> operations() {
        List<Operation> out = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            if (!METHODS.contains(op.getKey())) {
                return;
            }
            List<String> inPath = new ArrayList<>();
            List<String> inHeader = new ArrayList<>();
            for (JsonNode p : op.getValue().path("parameters")) {
                (p.path("in").asText().equals("path") ? inPath : inHeader).add(p.path("name").asText());
            }
            JsonNode schema = op.getValue().path("requestBody").path("content").path("application/json").path("schema");
            out.add(new Operation(op.getKey().toUpperCase(Locale.ROOT), path.getKey(), inPath, inHeader,
                    schema.isMissingNode() ? Optional.empty() : Optional.of(resolve(schema))));
        }));
        return out;
    }

    /** The schema with {@code $ref}s replaced by the component they name, recursively. */
    JsonNode resolve(JsonNode schema) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().replace("#/components/schemas/", "");
            return resolve(document.path("components").path("schemas").path(name));
        }
        if (!schema.has("properties")) {
            return schema;
        }
        Map<String, JsonNode> props = new LinkedHashMap<>();
        schema.get("properties").fields().forEachRemaining(p -> props.put(p.getKey(), resolve(p.getValue())));
        var copy = schema.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy).set("properties",
                new ObjectMapper().valueToTree(props));
        return copy;
    }
}
