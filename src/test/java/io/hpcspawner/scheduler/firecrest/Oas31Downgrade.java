package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rewrites FirecREST's OpenAPI 3.1 document into the equivalent 3.0 document, in memory, for
 * swagger-request-validator: that validator reads schemas the 3.0 way and silently drops every
 * 3.1 {@code type}, so the published file, fed as is, would check almost nothing. The rewrite:
 * <ul>
 * <li>{@code openapi: 3.1.0} becomes {@code 3.0.3};</li>
 * <li>{@code anyOf}/{@code oneOf} with a {@code {type: 'null'}} branch loses that branch and gets
 * {@code nullable: true}; a single remaining branch is merged into the schema, and when that branch
 * is a {@code $ref} the referenced schema is inlined (3.0 ignores siblings of a {@code $ref});</li>
 * <li>{@code const: x} becomes {@code enum: [x]};</li>
 * <li>schema {@code examples} lists (annotations) are dropped;</li>
 * <li>{@code contentMediaType} becomes {@code format: binary}, {@code propertyNames} is dropped and
 * {@code prefixItems} becomes {@code items} (these three occur only in schemas of the upload,
 * liveness and systems endpoints, which the adapter does not call).</li>
 * </ul>
 */
final class Oas31Downgrade {

    private static final String NULLABLE_REF = "x-oas31-nullable-ref";
    private static final String SCHEMAS = "#/components/schemas/";

    private Oas31Downgrade() {
    }

    static String toOpenApi30(String yaml31) {
        try {
            ObjectNode root = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(yaml31);
            if (!root.path("openapi").asText().startsWith("3.1")) {
                throw new IllegalArgumentException("not an OpenAPI 3.1 document: " + root.path("openapi"));
            }
            root.put("openapi", "3.0.3");
            rewrite(root);
            ObjectNode schemas = (ObjectNode) root.path("components").path("schemas");
            inlineNullableRefs(root, schemas, 0);
            return new ObjectMapper().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot read the OpenAPI document", e);
        }
    }

    /** Pass 1, children first, so merged branches arrive already rewritten. */
    private static void rewrite(JsonNode node) {
        if (node instanceof ArrayNode array) {
            array.forEach(Oas31Downgrade::rewrite);
        } else if (node instanceof ObjectNode o) {
            o.forEach(Oas31Downgrade::rewrite);
            rewriteSchemaKeywords(o);
        }
    }

    private static void rewriteSchemaKeywords(ObjectNode o) {
        if (o.has("const")) {
            JsonNode value = o.remove("const");
            o.putArray("enum").add(value);
        }
        if (o.path("examples").isArray()) {
            o.remove("examples"); // 3.1 schema annotation; in 3.0 `examples` is a map on media types only
        }
        if (o.has("contentMediaType")) {
            o.remove("contentMediaType");
            o.put("format", "binary");
        }
        o.remove("propertyNames");
        if (o.path("prefixItems").isArray()) {
            ArrayNode prefix = (ArrayNode) o.remove("prefixItems");
            boolean same = true;
            for (JsonNode item : prefix) {
                same &= item.equals(prefix.get(0));
            }
            if (same) {
                o.set("items", prefix.get(0));
            } else {
                o.putObject("items").set("anyOf", prefix);
            }
        }
        for (String combinator : List.of("anyOf", "oneOf")) {
            if (!o.path(combinator).isArray()) {
                continue;
            }
            List<JsonNode> rest = new ArrayList<>();
            boolean nullable = false;
            for (JsonNode branch : o.get(combinator)) {
                if (branch.size() == 1 && "null".equals(branch.path("type").asText(null))) {
                    nullable = true;
                } else {
                    rest.add(branch);
                }
            }
            if (!nullable) {
                continue;
            }
            o.remove(combinator);
            if (rest.size() == 1 && rest.get(0).has("$ref")) {
                o.put(NULLABLE_REF, rest.get(0).get("$ref").asText());
            } else if (rest.size() == 1) {
                mergeAbsent(o, rest.get(0));
            } else {
                o.putArray(combinator).addAll(rest);
            }
            o.put("nullable", true);
        }
    }

    /** Pass 2: a nullable {@code $ref} becomes a nullable copy of the referenced schema. */
    private static void inlineNullableRefs(JsonNode node, ObjectNode schemas, int depth) {
        if (depth > 32) {
            throw new IllegalStateException("nullable $ref chain too deep (recursive schema?)");
        }
        if (node instanceof ArrayNode array) {
            array.forEach(n -> inlineNullableRefs(n, schemas, depth));
        } else if (node instanceof ObjectNode o) {
            if (o.has(NULLABLE_REF)) {
                String ref = o.remove(NULLABLE_REF).asText();
                JsonNode target = ref.startsWith(SCHEMAS) ? schemas.get(ref.substring(SCHEMAS.length())) : null;
                if (target == null) {
                    throw new IllegalStateException("cannot resolve " + ref);
                }
                ObjectNode copy = target.deepCopy();
                inlineNullableRefs(copy, schemas, depth + 1);
                mergeAbsent(o, copy);
                o.put("nullable", true);
            }
            o.forEach(n -> inlineNullableRefs(n, schemas, depth));
        }
    }

    /** Copies the branch's keywords the schema does not set itself (its own title/description win). */
    private static void mergeAbsent(ObjectNode schema, JsonNode branch) {
        for (Map.Entry<String, JsonNode> e : branch.properties()) {
            if (!schema.has(e.getKey())) {
                schema.set(e.getKey(), e.getValue());
            }
        }
    }
}
