package io.hpcspawner.scheduler.slurmrestd;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads a job listing ({@code GET /jobs}, every job of the cluster: megabytes at thousands of
 * jobs) as a stream: each job is handed on as soon as it is read, with only the fields the service
 * reads of a job (the same names in every API version), so the whole listing is never held as a
 * tree. The answer's other fields ({@code errors}, {@code warnings}, {@code meta}) are kept whole.
 */
final class JobListing {

    /** The fields of a listed job that {@link SlurmrestdDialect#toJobInfo}, {@code priority} and the queue order read. */
    static final Set<String> JOB_FIELDS = Set.of("job_id", "name", "user_name", "job_state", "state_reason",
            "batch_host", "exit_code", "submit_time", "start_time", "priority", "partition");

    /**
     * The answer without its jobs: its other top-level fields, and what {@code jobs} was (an array,
     * null, another type; empty when missing).
     */
    record Rest(ObjectNode fields, Optional<JsonNodeType> jobs) {
    }

    private JobListing() {
    }

    /** Reads {@code body}, handing each entry of {@code jobs} (when it is an array) to {@code eachJob} in order. */
    static Rest read(InputStream body, ObjectMapper json, Consumer<JsonNode> eachJob) throws IOException {
        ObjectNode rest = json.createObjectNode();
        Optional<JsonNodeType> jobs = Optional.empty();
        try (JsonParser p = json.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                return new Rest(rest, jobs); // not an object: it has no job list
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("jobs") && value == JsonToken.START_ARRAY) {
                    jobs = Optional.of(JsonNodeType.ARRAY);
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        eachJob.accept(p.currentToken() == JsonToken.START_OBJECT ? job(p, json) : tree(p));
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
        return new Rest(rest, jobs);
    }

    /** One job object, the parser on its start: only {@link #JOB_FIELDS}, the others skipped unread. */
    private static JsonNode job(JsonParser p, ObjectMapper json) throws IOException {
        ObjectNode job = json.createObjectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (JOB_FIELDS.contains(name)) {
                job.set(name, tree(p));
            } else {
                p.skipChildren();
            }
        }
        return job;
    }

    private static JsonNode tree(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return NullNode.getInstance();
        }
        return p.readValueAsTree();
    }
}
