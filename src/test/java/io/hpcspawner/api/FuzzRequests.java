package io.hpcspawner.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.api.OpenApiRoutes.Operation;
import io.hpcspawner.api.RawHttp.Header;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Bad requests for one operation of the OpenAPI document: malformed and mistyped JSON (every
 * field of the request schema), huge and empty bodies, wrong content types, path tricks in every
 * path parameter, and bad headers. Random mutations come from a seeded {@link Random}, so a run
 * is repeatable with the same seed.
 */
final class FuzzRequests {

    /**
     * One request to send; {@code kind} says what it tries, for the report. {@link #validHttp()}
     * is false for requests the HTTP decoder refuses before any route sees them.
     */
    record FuzzRequest(String kind, String method, String target, List<Header> headers, byte[] body) {

        /** RFC 3986 characters and %HH escapes only; RFC 9110 header names and values; within Quarkus' limits. */
        boolean validHttp() {
            int headerBytes = 0;
            for (Header h : headers) {
                if (!TOKEN.matcher(h.name()).matches() || !FIELD_VALUE.matcher(h.value()).matches()) {
                    return false;
                }
                headerBytes += h.name().length() + h.value().getBytes(StandardCharsets.UTF_8).length + 4;
            }
            return URI_CHARS.matcher(target).matches() && target.length() < MAX_INITIAL_LINE
                    && headerBytes < MAX_HEADER_SIZE;
        }
    }

    private static final java.util.regex.Pattern URI_CHARS =
            java.util.regex.Pattern.compile(
            "[A-Za-z0-9._~!$&'()*+,;=:@/?-]*+(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._~!$&'()*+,;=:@/?-]*+)*+");
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final java.util.regex.Pattern FIELD_VALUE = java.util.regex.Pattern.compile("[\\t\\x20-\\x7e\\x80-\\x{10FFFF}]*+");
    /** Quarkus' defaults: quarkus.http.limits.max-initial-line-length and max-header-size. */
    private static final int MAX_INITIAL_LINE = 4096;
    private static final int MAX_HEADER_SIZE = 20 * 1024;

    static final int LARGE = 300 * 1024;       // over the API's 256 KiB limit for a create
    static final int OVERSIZED = 1100 * 1024;  // over the HTTP layer's 1 MiB limit
    private static final String SLOT = "__FUZZ_SLOT__";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Values of the wrong type (or the right type with an odd value) for any field, as raw JSON. */
    static final List<String> WRONG_VALUES = List.of("1", "-1.5", "1e400", "123456789012345678901234567890", "true",
            "null", "\"\"", "\"x\"", "[]", "[\"x\", 2]", "{}", "{\"k\": \"v\"}", "{\"k\": {\"n\": [1, {}]}}");

    static final List<String> MALFORMED = List.of("{", "}", "{\"startId\": ", "{\"startId\": \"a\",}", "{'startId': 'a'}",
            "{\"startId\": \"\\u00\"}", "{\"startId\": \"a\"}{\"b\": 2}", "{\"startId\": \"a\"} trailing", "\uFEFF{}",
            "NaN", "{\"startId\": NaN}", "{\"port\": 0x10}", "{\"startId\": \"a\", \"startId\": \"b\"}",
            "/* comment */ {}", "{\"a\" 1}", "[1, 2", "\"unterminated", "{\"\\ud800\": 1}", "nul", "{\"port\": 01}",
            "{\"options\": {\"cpus\": }}", "\u0000", "{\"host\": \"\u0000\"}");

    static final List<String> PATH_TRICKS = List.of("..", "%2e%2e", "%2E%2E%2Ffuzzer2", "..%2Ffuzzer2", "a%2Fb", "%2F",
            "a%2fb", "a%00b", "%00", "x".repeat(70), "x".repeat(3000), "ü", "%C3%BC", "%E2%80%AE", "%FF%FE", "%",
            "%zz", "%u0041", "-x", ".", ".hidden", "a;b", "a;b=c", "a$b", "a'b", "a%0Ab", "a%0D%0AX-Injected:%201",
            "a%20b", "a+b", "\uD83D\uDE00", "%F0%9F%98%80", "a%5Cb", "~root", "*", "fuzzer%40x", "a%3Fb", "a%23b",
            "%09", "", "a\\b");

    static final List<String> CONTENT_TYPES = List.of("text/plain", "application/xml", "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x", "application/json; charset=utf-16", "application/json; charset=nonsense",
            "application/json;;;", "garbage", "*/*", "application/*", "application/json-patch+json", "");

    private final Random random;
    private final String hub;
    private final Map<String, String> pathValues;
    private final Map<String, Object> sampleValues;

    /**
     * @param pathValues   a valid value for each path parameter, by name
     * @param sampleValues a valid value for body fields, by name; other fields get a value of their type
     */
    FuzzRequests(long seed, String hub, Map<String, String> pathValues, Map<String, Object> sampleValues) {
        this.random = new Random(seed);
        this.hub = hub;
        this.pathValues = pathValues;
        this.sampleValues = sampleValues;
    }

    List<FuzzRequest> forOperation(Operation op) {
        List<FuzzRequest> out = new ArrayList<>();
        String target = fill(op, Map.of());
        String valid = op.body().map(this::validBody).orElse(null);
        for (String credential : new String[] {null, hub}) {
            String who = credential == null ? "no credential" : "hub credential";
            out.add(request(op, "valid request, " + who, target, credential, valid));
            for (String param : op.pathParams()) {
                for (String trick : PATH_TRICKS) {
                    out.add(request(op, "path " + param + "=" + cut(trick) + ", " + who, fill(op, Map.of(param, trick)),
                            credential, valid));
                }
            }
            for (Function<String, String> wholePath : wholePathTricks()) {
                out.add(request(op, "path " + wholePath.apply("{path}") + ", " + who, wholePath.apply(target), credential,
                        valid));
            }
        }
        bodies(op, target, valid, out);
        headers(op, target, valid, out);
        return out;
    }

    /** Methods the document does not declare for a path: each should get a clear 405 (or an OPTIONS answer). */
    List<FuzzRequest> undeclaredMethods(String template, List<String> declared) {
        List<FuzzRequest> out = new ArrayList<>();
        Operation any = new Operation("GET", template, List.of(), List.of(), java.util.Optional.empty());
        String target = fill(any, Map.of());
        for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "FUZZ")) {
            if (!declared.contains(method)) {
                out.add(new FuzzRequest("undeclared method", method, target, auth(hub, "{}"),
                        "{}".getBytes(StandardCharsets.UTF_8)));
            }
        }
        return out;
    }

    private void bodies(Operation op, String target, String valid, List<FuzzRequest> out) {
        String sample = valid == null ? "{\"startId\": \"fuzz-start-0001\"}" : valid;
        for (String m : MALFORMED) {
            out.add(request(op, "malformed JSON " + cut(m), target, hub, m));
        }
        for (int i = 0; i < 20; i++) {
            String mutated = mutate(sample);
            out.add(request(op, "mutated JSON " + cut(mutated), target, hub, mutated));
        }
        byte[] badUtf8 = concat("{\"startId\": \"".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff, (byte) 0xfe,
                (byte) 0xc3}, "\"}".getBytes(StandardCharsets.UTF_8));
        out.add(new FuzzRequest("invalid UTF-8", op.method(), target, auth(hub, "application/json"), badUtf8));
        for (String whole : List.of("[]", "1", "\"s\"", "null", "true", "[{}]", "{}")) {
            out.add(request(op, "whole body " + whole, target, hub, whole));
        }
        op.body().ifPresent(schema -> wrongTypes(op, target, schema, out));
        out.add(request(op, "empty body", target, hub, ""));
        out.add(new FuzzRequest("no body, JSON type", op.method(), target, auth(hub, "application/json"), null));
        for (String type : CONTENT_TYPES) {
            out.add(new FuzzRequest("Content-Type " + type, op.method(), target, auth(hub, type),
                    sample.getBytes(StandardCharsets.UTF_8)));
        }
        out.add(new FuzzRequest("no Content-Type", op.method(), target, auth(hub, null),
                sample.getBytes(StandardCharsets.UTF_8)));
        String large = padded(sample, LARGE);
        String oversized = padded(sample, OVERSIZED);
        out.add(request(op, "body of 300 KiB", target, hub, large));
        out.add(request(op, "body of 1.1 MiB", target, hub, oversized));
        out.add(request(op, "body of 1.1 MiB, no credential", target, null, oversized));
        List<Header> chunked = auth(hub, "application/json");
        chunked.add(new Header("Transfer-Encoding", "chunked"));
        out.add(new FuzzRequest("chunked body of 300 KiB", op.method(), target, chunked,
                large.getBytes(StandardCharsets.UTF_8)));
        out.add(new FuzzRequest("chunked body of 1.1 MiB", op.method(), target, chunked,
                oversized.getBytes(StandardCharsets.UTF_8)));
        List<Header> claimsHuge = auth(hub, "application/json");
        claimsHuge.add(new Header("Content-Length", Integer.toString(64 * 1024 * 1024)));
        out.add(new FuzzRequest("Content-Length of 64 MiB, no body sent", op.method(), target, claimsHuge, null));
        out.add(request(op, "5000 nested arrays", target, hub, "[".repeat(5000) + "]".repeat(5000)));
        out.add(request(op, "5000 nested objects", target, hub, "{\"a\":".repeat(5000) + "1" + "}".repeat(5000)));
        out.add(request(op, "a 900 KiB number", target, hub, "{\"port\": " + "9".repeat(900 * 1024) + "}"));
    }

    private void wrongTypes(Operation op, String target, JsonNode schema, List<FuzzRequest> out) {
        for (String field : fieldPaths(schema, "")) {
            for (String wrong : WRONG_VALUES) {
                out.add(request(op, "field " + field + " = " + wrong, target, hub, withSlot(schema, field, wrong)));
            }
        }
    }

    private void headers(Operation op, String target, String valid, List<FuzzRequest> out) {
        List<List<String>> authorizations = List.of(List.of("Bearer " + "x".repeat(8000)),
                List.of("Bearer " + "x".repeat(60000)), List.of(hub, "Bearer nope"), List.of("Bearer nope", hub),
                List.of(hub, hub), List.of("Bearer tökén-ünïcode"), List.of("Bearer \u00e9\u4e2d\uD83D\uDE00"),
                List.of("Bearer"), List.of("Bearer "), List.of("Bearer \t "), List.of("Token"), List.of("Basic Zm9vOmJhcg=="),
                List.of("Bearer a b c"), List.of(hub.substring("Bearer ".length())), List.of(hub + " "),
                List.of(" " + hub), List.of("bearer " + hub.substring("Bearer ".length())), List.of(""),
                List.of("Bearer " + "\u0001\u007f"));
        for (List<String> values : authorizations) {
            List<Header> h = new ArrayList<>();
            values.forEach(v -> h.add(new Header("Authorization", v)));
            if (valid != null) {
                h.add(new Header("Content-Type", "application/json"));
            }
            out.add(new FuzzRequest("Authorization " + cut(String.join(" | ", values)), op.method(), target, h,
                    bytes(valid)));
        }
        for (String id : List.of("abc", "-1", "99999999999999999999999", "1.5", "ü", "x".repeat(10000), "", " 3 ", "0x10",
                "1, 2", "NaN")) {
            List<Header> h = auth(hub, valid == null ? null : "application/json");
            h.add(new Header("Last-Event-ID", id));
            out.add(new FuzzRequest("Last-Event-ID " + cut(id), op.method(), target, h, bytes(valid)));
        }
        for (String accept : List.of("application/xml", "text/html", "garbage;;;", "text/event-stream", "*/*;q=oops")) {
            List<Header> h = auth(hub, valid == null ? null : "application/json");
            h.add(new Header("Accept", accept));
            out.add(new FuzzRequest("Accept " + accept, op.method(), target, h, bytes(valid)));
        }
        List<Header> unicodeName = auth(hub, null);
        unicodeName.add(new Header("X-Fuzz-\u00fc", "\u00fc"));
        out.add(new FuzzRequest("header with a non-ASCII name", op.method(), target, unicodeName, bytes(valid)));
        if (valid != null) {
            out.add(new FuzzRequest("Content-Type twice", op.method(), target,
                    RawHttp.headers("Authorization", hub, "Content-Type", "application/json", "Content-Type", "text/plain"),
                    bytes(valid)));
        }
    }

    private FuzzRequest request(Operation op, String kind, String target, String credential, String body) {
        return new FuzzRequest(kind, op.method(), target, auth(credential, body == null ? null : "application/json"),
                bytes(body));
    }

    private static List<Header> auth(String credential, String contentType) {
        List<Header> h = new ArrayList<>();
        if (credential != null) {
            h.add(new Header("Authorization", credential));
        }
        if (contentType != null) {
            h.add(new Header("Content-Type", contentType));
        }
        return h;
    }

    private String fill(Operation op, Map<String, String> overrides) {
        String target = op.template();
        for (var param : pathValues.entrySet()) {
            target = target.replace("{" + param.getKey() + "}", overrides.getOrDefault(param.getKey(), param.getValue()));
        }
        for (var param : overrides.entrySet()) {
            target = target.replace("{" + param.getKey() + "}", param.getValue());
        }
        return target.replaceAll("\\{[^}/]+}", "x1");
    }

    private static List<Function<String, String>> wholePathTricks() {
        return List.of(p -> p + "/", p -> p + "//", p -> p.replace("/api/v1/", "/api//v1/"),
                p -> p.replace("/api/v1/", "/api/v1/./"), p -> p.replace("/api/v1/", "/api/v1/x/../"),
                p -> p.replace("/api/v1/", "/api/v1/%2e%2e/v1/"), p -> p + "?a=%zz&b", p -> p + "?x=" + "y".repeat(3000),
                p -> p + "#fragment", p -> p.toUpperCase(java.util.Locale.ROOT), p -> p + "/..", p -> p + "/%2e%2e");
    }

    /** The names of the fields to mistype: each property, each property of nested objects, and an entry of each map. */
    private static List<String> fieldPaths(JsonNode schema, String prefix) {
        List<String> out = new ArrayList<>();
        schema.path("properties").fields().forEachRemaining(p -> {
            String name = prefix + p.getKey();
            out.add(name);
            if (p.getValue().has("properties")) {
                out.addAll(fieldPaths(p.getValue(), name + "."));
            } else if (p.getValue().has("additionalProperties")) {
                out.add(name + ".k");
            }
        });
        return out;
    }

    private String validBody(JsonNode schema) {
        try {
            return JSON.writeValueAsString(sample("", schema));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Object sample(String name, JsonNode schema) {
        if (sampleValues.containsKey(name)) {
            return sampleValues.get(name);
        }
        if (schema.has("properties")) {
            Map<String, Object> object = new java.util.LinkedHashMap<>();
            schema.get("properties").fields().forEachRemaining(p -> object.put(p.getKey(), sample(p.getKey(), p.getValue())));
            return object;
        }
        return switch (schema.path("type").asText()) {
            case "integer", "number" -> 1;
            case "boolean" -> true;
            case "array" -> List.of();
            case "object" -> Map.of();
            default -> "x";
        };
    }

    /** The valid body with one field (a dotted path; {@code .k} is a map entry) replaced by raw JSON. */
    private String withSlot(JsonNode schema, String field, String raw) {
        ObjectNode body = JSON.valueToTree(sample("", schema));
        String[] parts = field.split("\\.");
        ObjectNode at = body;
        for (int i = 0; i < parts.length - 1; i++) {
            if (!(at.get(parts[i]) instanceof ObjectNode)) {
                at.set(parts[i], JSON.createObjectNode());
            }
            at = (ObjectNode) at.get(parts[i]);
        }
        at.put(parts[parts.length - 1], SLOT);
        return body.toString().replace("\"" + SLOT + "\"", raw);
    }

    private String mutate(String json) {
        StringBuilder s = new StringBuilder(json);
        int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits && s.length() > 0; i++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(4)) {
                case 0 -> s.setLength(at);
                case 1 -> s.deleteCharAt(at);
                case 2 -> s.insert(at, pick("{}[]\",:\\'\u0000\n\u00e9\uD83D\uDE00 0-e."));
                default -> s.setCharAt(at, pick("{}[]\",:\\tfn1"));
            }
        }
        return s.toString();
    }

    private char pick(String from) {
        return from.charAt(random.nextInt(from.length()));
    }

    private static String padded(String json, int size) {
        String pad = "{\"startId\": \"fuzz-start-0001\", \"environment\": {\"PAD\": \"" + "p".repeat(size) + "\"}}";
        return json.startsWith("{\"startId\"") ? pad : "{\"host\": \"" + "h".repeat(size) + "\", \"port\": 1}";
    }

    private static String cut(String s) {
        String shown = s.length() > 40 ? s.substring(0, 40) + "...(" + s.length() + ")" : s;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
