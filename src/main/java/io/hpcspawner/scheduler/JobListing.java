package io.hpcspawner.scheduler;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a job listing (every job of the cluster: megabytes at thousands of jobs; slurmrestd's
 * {@code GET /jobs}, FirecREST v2's {@code GET /compute/{system}/jobs?allusers=true}) as a stream:
 * each entry of the answer's {@code jobs} array is handed on as soon as it is read, with only the
 * fields the adapter reads of a job, so the whole listing is never held as a tree. The answer's
 * other fields ({@code errors}, {@code warnings}, {@code meta}) are kept whole.
 */
public final class JobListing {

    /**
     * The answer without its jobs: whether it was a JSON object, its other top-level fields, and
     * what {@code jobs} was (an array, null, another type; empty when missing).
     */
    public record Rest(boolean object, ObjectNode fields, Optional<JsonNodeType> jobs) {
    }

    private JobListing() {
    }

    /**
     * Reads {@code body}, handing each entry of {@code jobs} (when it is an array) to
     * {@code eachJob} in order; of a job object only the fields named in {@code jobFields} are read.
     */
    public static Rest read(InputStream body, ObjectMapper json, Set<String> jobFields, Consumer<JsonNode> eachJob)
            throws IOException {
        ObjectNode rest = json.createObjectNode();
        Optional<JsonNodeType> jobs = Optional.empty();
        try (JsonParser p = json.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                if (first != null) {
                    p.skipChildren();
                }
                return new Rest(false, rest, jobs); // not an object: it has no job list
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("jobs") && value == JsonToken.START_ARRAY) {
                    jobs = Optional.of(JsonNodeType.ARRAY);
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        eachJob.accept(p.currentToken() == JsonToken.START_OBJECT ? job(p, json, jobFields) : tree(p));
                    }
                } else {
                    JsonNode tree = tree(p);
                    rest.set(name, tree);
                    if (name.equals("jobs")) {
                        jobs = Optional.of(tree.getNodeType());
                    }
                }
            }
        }
        return new Rest(true, rest, jobs);
    }

    /** One job object, the parser on its start: only {@code fields}, the others skipped unread. */
    private static JsonNode job(JsonParser p, ObjectMapper json, Set<String> fields) throws IOException {
        ObjectNode job = json.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (fields.contains(name)) {
                job.set(name, value(p, json.getNodeFactory()));
            } else {
                p.skipChildren();
            }
        }
        return job;
    }

    /**
     * The value the parser is on, built directly: {@link JsonParser#readValueAsTree} sets up a
     * deserialization context per call, which at several fields per job of a 10,000-job listing
     * allocated ten times what the values themselves take.
     */
    private static JsonNode value(JsonParser p, JsonNodeFactory nodes) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                ObjectNode object = nodes.objectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    object.set(name, value(p, nodes));
                }
                return object;
            }
            case START_ARRAY -> {
                ArrayNode array = nodes.arrayNode();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    array.add(value(p, nodes));
                }
                return array;
            }
            case VALUE_STRING -> {
                return nodes.textNode(p.getText());
            }
            case VALUE_NUMBER_INT -> {
                return switch (p.getNumberType()) {
                    case INT -> nodes.numberNode(p.getIntValue());
                    case LONG -> nodes.numberNode(p.getLongValue());
                    default -> nodes.numberNode(p.getBigIntegerValue());
                };
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return nodes.booleanNode(p.getBooleanValue());
            }
            case VALUE_NULL -> {
                return NullNode.getInstance();
            }
            default -> {
                return tree(p); // floats and the rest: as the mapper reads them
            }
        }
    }

    private static JsonNode tree(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return NullNode.getInstance();
        }
        return p.readValueAsTree();
    }
}
