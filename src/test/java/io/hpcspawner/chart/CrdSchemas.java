package io.hpcspawner.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The openAPIV3Schema of each custom resource kind the chart may render, read from the CRDs kept in
 * src/test/resources/chart/crds, made strict as the API server is: an object with declared
 * properties refuses any other field, unless the CRD says x-kubernetes-preserve-unknown-fields.
 */
final class CrdSchemas {

    static final Path DIRECTORY = Path.of("src/test/resources/chart/crds");
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
    private static Map<String, JsonSchema> schemas;

    private CrdSchemas() {
    }

    /** The schema of apiVersion + kind (e.g. "cert-manager.io/v1", "Certificate"), if a CRD here serves it. */
    static Optional<JsonSchema> of(String apiVersion, String kind) {
        return Optional.ofNullable(all().get(apiVersion + " " + kind));
    }

    /** Every served version of every CRD here, as "apiVersion kind". */
    static synchronized Map<String, JsonSchema> all() {
        if (schemas == null) {
            Map<String, JsonSchema> read = new TreeMap<>();
            try (Stream<Path> files = Files.list(DIRECTORY)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                    read.putAll(served(file));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            schemas = read;
        }
        return schemas;
    }

    /** The schema of every served version of the CRD in {@code file}, by "apiVersion kind" (e.g. the chart's own crds/). */
    static Map<String, JsonSchema> served(Path file) {
        Map<String, JsonSchema> read = new TreeMap<>();
        try {
            JsonNode crd = new YAMLMapper().readTree(file.toFile()).path("spec");
            for (JsonNode version : crd.path("versions")) {
                if (version.path("served").asBoolean()) {
                    JsonNode schema = strict(version.path("schema").path("openAPIV3Schema").deepCopy());
                    read.put(crd.path("group").asText() + "/" + version.path("name").asText() + " "
                            + crd.path("names").path("kind").asText(), FACTORY.getSchema(schema));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return read;
    }

    /** Validation messages of one object against its CRD schema (empty: valid). */
    static List<String> validate(JsonSchema schema, JsonNode object) {
        return schema.validate(object).stream().map(ValidationMessage::getMessage).sorted().toList();
    }

    /** Refuses unknown fields wherever the API server prunes or refuses them. */
    static JsonNode strict(JsonNode schema) {
        if (schema instanceof ObjectNode node) {
            boolean keepsUnknown = node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
            if (node.has("properties") && !node.has("additionalProperties") && !keepsUnknown) {
                node.put("additionalProperties", false);
            }
            node.properties().forEach(e -> {
                if (e.getKey().equals("properties")) {
                    e.getValue().forEach(CrdSchemas::strict);
                } else {
                    strict(e.getValue());
                }
            });
        } else if (schema != null && schema.isArray()) {
            schema.forEach(CrdSchemas::strict);
        }
        return schema;
    }
}
