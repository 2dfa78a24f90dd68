package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * FirecREST v2's error body ({@code errorType}, {@code message}, {@code causedBy},
 * {@code data.fields}) in one line: message, then validation fields, then the causes.
 */
final class V2Errors implements FirecrestClient.ErrorDialect {

    static final V2Errors INSTANCE = new V2Errors();

    private V2Errors() {
    }

    @Override
    public Optional<String> words(JsonNode error) {
        if (!error.path("message").isTextual()) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder(error.path("message").asText());
        List<String> fields = new ArrayList<>();
        for (JsonNode f : error.path("data").path("fields")) {
            String where = f.path("name").isTextual() ? f.path("name").asText() : f.path("location").asText("");
            fields.add((where.isEmpty() ? "" : where + ": ") + f.path("message").asText(""));
        }
        if (!fields.isEmpty()) {
            sb.append(" (").append(String.join("; ", fields)).append(')');
        }
        for (JsonNode cause : error.path("causedBy")) {
            String c = cause.asText("");
            if (!c.isBlank() && sb.indexOf(c) < 0) {
                sb.append("; caused by: ").append(c);
            }
        }
        return Optional.of(sb.toString());
    }
}
