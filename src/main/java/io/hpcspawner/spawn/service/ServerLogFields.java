package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.MDC;

/**
 * Ties the log lines written while one server's work runs to that server: puts its id, user,
 * server name, system and job id (those known) in the logging context (MDC), where the JSON log
 * format writes them as fields of each line ({@code serverId}, {@code user}, {@code serverName},
 * {@code system}, {@code jobId}; docs/operations.md). Used as a try-with-resources around the work;
 * closing puts back what the context held before, so a nested scope (a state change inside a
 * submit) leaves the outer server's fields in place. The context belongs to the thread (or the
 * request): background work sets it on its own thread.
 */
public final class ServerLogFields implements AutoCloseable {

    public static final String SERVER_ID = "serverId";
    public static final String USER = "user";
    public static final String SERVER_NAME = "serverName";
    public static final String SYSTEM = "system";
    public static final String JOB_ID = "jobId";

    private final Map<String, Object> before = new LinkedHashMap<>();

    private ServerLogFields(Map<String, String> fields) {
        fields.forEach((name, value) -> {
            before.put(name, MDC.get(name));
            if (value == null) {
                MDC.remove(name); // not known for this server: no value left from another one
            } else {
                MDC.put(name, value);
            }
        });
    }

    /** The fields of record {@code r}: all five, the job id once the submit returned one. */
    public static ServerLogFields of(ServerRecord r) {
        Map<String, String> fields = fieldsOf(r.key());
        fields.put(SERVER_ID, r.id());
        fields.put(SYSTEM, r.system());
        fields.put(JOB_ID, r.jobId());
        return new ServerLogFields(fields);
    }

    /** Runs {@code work} with the fields of record {@code r}, its exception handlers' lines included. */
    public static <T> T around(ServerRecord r, Supplier<T> work) {
        try (ServerLogFields fields = of(r)) {
            return work.get();
        }
    }

    /** Runs {@code work} with the fields of record {@code r}. */
    public static void around(ServerRecord r, Runnable work) {
        try (ServerLogFields fields = of(r)) {
            work.run();
        }
    }

    /** The fields known from a request's path alone: the user and the server name. */
    public static ServerLogFields of(ServerKey key) {
        return new ServerLogFields(fieldsOf(key));
    }

    private static Map<String, String> fieldsOf(ServerKey key) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(USER, key.user());
        fields.put(SERVER_NAME, key.server());
        return fields;
    }

    /** Puts back the values the context had before (removing those it did not have). */
    @Override
    public void close() {
        before.forEach((name, value) -> {
            if (value == null) {
                MDC.remove(name);
            } else {
                MDC.put(name, value);
            }
        });
    }
}
