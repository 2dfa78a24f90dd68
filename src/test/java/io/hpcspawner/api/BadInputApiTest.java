package io.hpcspawner.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.api.RawHttp.Answer;
import io.hpcspawner.spawn.service.HostileStrings;
import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.Names;
import io.hpcspawner.spawn.service.ProfileCatalog;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Bad input through the API: every value the domain refuses (user and server names, start ids,
 * each option; the values of {@link HostileStrings}, some sampled with a fixed seed) gets 400 with
 * {@code field} naming it and a message without control characters or bidi overrides (the API
 * escapes them: {@code ErrorMapper.visible}); every value the domain
 * accepts is accepted by the API too, so the properties of {@code BadInputPropertiesTest} cover
 * everything the API lets through.
 */
@QuarkusTest
class BadInputApiTest {

    static final long SEED = 8L;
    static final AtomicInteger NAMES = new AtomicInteger();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    ProfileCatalog catalog;

    @Inject
    io.hpcspawner.spawn.service.ClusterUsers clusterUsers;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    RawHttp http() {
        return new RawHttp("127.0.0.1", port, Duration.ofSeconds(10));
    }

    static List<String> values(List<String> valid) {
        List<String> out = new ArrayList<>(HostileStrings.variants(valid));
        out.addAll(HostileStrings.sample(HostileStrings.around(valid), SEED, 40));
        return out;
    }

    @Test
    void refusedValuesGet400NamingTheFieldAndAcceptedOnesAreAccepted() throws Exception {
        Map<String, Integer> outcomes = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        Map<String, List<String>> fields = new LinkedHashMap<>();
        fields.put("user", List.of("alice", "u@example.org", "a+b.c_d-1"));
        fields.put("server", List.of("gpu.1", "x-1", "A_b"));
        fields.put("startId", List.of("start-0001", "3f2b8c1e-5d4a-4b9e-8f00-0123456789ab"));
        fields.put("options.profile", List.of("small", "big"));
        fields.put("options.cpus", List.of("2", "4"));
        fields.put("options.time", List.of("30", "1:00:00"));
        fields.put("options.account", List.of("proj1", "x.y_z-1"));
        for (var field : fields.entrySet()) {
            for (String value : values(field.getValue())) {
                String problem = check(field.getKey(), value, outcomes);
                if (problem != null) {
                    wrong.add(field.getKey() + "=" + printable(value) + ": " + problem);
                }
            }
        }
        System.out.println("Bad input through the API: " + outcomes);
        assertThat(wrong).isEmpty();
        assertThat(outcomes.keySet()).as("both outcomes for every field").contains("user refused", "user accepted",
                "server refused", "server accepted", "startId refused", "startId accepted", "options.profile refused",
                "options.profile accepted", "options.cpus refused", "options.cpus accepted", "options.time refused",
                "options.time accepted", "options.account refused", "options.account accepted");
    }

    /** Sends one value in its field; what is wrong with the answer, or null. */
    String check(String field, String value, Map<String, Integer> outcomes) throws Exception {
        String server = "bad" + NAMES.incrementAndGet();
        String user = "alice";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("startId", "bad-input-" + NAMES.get());
        Map<String, Object> options = new LinkedHashMap<>();
        String refusedField = null;
        int refusedStatus = 400;
        switch (field) {
            case "user" -> {
                user = value;
                refusedField = refusal(() -> Names.requireUser(value));
                if (refusedField == null && notAClusterUser(value)) {
                    refusedField = "user"; // a valid hub name that is no user on the cluster: 403
                    refusedStatus = 403;
                }
            }
            case "server" -> {
                server = value;
                refusedField = refusal(() -> Names.requireServer(value));
            }
            case "startId" -> {
                body.put("startId", value);
                refusedField = refusal(() -> Names.requireStartId(value));
            }
            default -> {
                String option = field.substring("options.".length());
                if (!option.equals("profile")) {
                    options.put("profile", "small");
                }
                options.put(option, value);
                body.put("options", options);
                refusedField = refusal(() -> catalog.plan("alice", options));
            }
        }
        if ((field.equals("user") || field.equals("server")) && (value.isEmpty() || value.matches("\\.{1,2}"))) {
            return null; // the default server's route, and dot segments the URL layer resolves: not a name
        }
        String target = "/api/v1/users/" + encode(user) + "/servers/" + encode(server);
        Answer a = http().send("POST", target, RawHttp.headers("Authorization", HttpFuzzTest.HUB, "Content-Type",
                "application/json"), JSON.writeValueAsBytes(body));
        if (target.length() > 4000) {
            // a name this long cannot reach the API: the HTTP decoder refuses the request line
            outcomes.merge(field + " refused by the HTTP layer", 1, Integer::sum);
            return a.status() == 414 ? null : "a request line over 4 KiB answered " + a.status();
        }
        outcomes.merge(field + (refusedField == null ? " accepted" : " refused"), 1, Integer::sum);
        if (refusedField == null) {
            if (a.status() == 202) {
                http().send("DELETE", target, RawHttp.headers("Authorization", HttpFuzzTest.HUB), null);
            }
            return a.status() == 200 || a.status() == 202 ? null : "accepted by the domain, answered " + a.status()
                    + " " + a.body();
        }
        if (a.status() != refusedStatus) {
            return "refused by the domain, answered " + a.status() + " " + a.body();
        }
        JsonNode error = JSON.readTree(a.body());
        if (!error.path("field").asText().equals(refusedField)) {
            return "400 naming " + error.path("field") + " instead of " + refusedField;
        }
        if (error.path("message").asText().codePoints().anyMatch(c -> c < 0x20 || (c >= 0x7f && c <= 0x9f)
                || c == 0x2028 || c == 0x2029 || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))) {
            return "a message with control characters: " + printable(error.path("message").asText());
        }
        return null;
    }

    /** Whether the cluster refuses this hub user (not a valid cluster user name, a system account, unknown). */
    boolean notAClusterUser(String hubUser) {
        try {
            clusterUsers.requireAllowed(hubUser, "testsys", clusterUsers.clusterName(hubUser));
            return false;
        } catch (io.hpcspawner.spawn.model.UserNotAllowedException e) {
            return true;
        }
    }

    static String refusal(Runnable check) {
        try {
            check.run();
            return null;
        } catch (InvalidRequestException e) {
            return e.field();
        }
    }

    /** Every byte but the unreserved characters percent-encoded, so the service decodes the value itself. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    static String printable(String s) {
        String cut = s.length() > 60 ? s.substring(0, 60) + "...(" + s.length() + ")" : s;
        return cut.replaceAll("[\\x00-\\x1f\\x7f]", "?");
    }
}
