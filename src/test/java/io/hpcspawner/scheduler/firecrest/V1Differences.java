package io.hpcspawner.scheduler.firecrest;

import java.util.List;

/**
 * Where FirecREST v1 1.16.6 (the code) differs from its OpenAPI 1.16.1 (the spec), as the project
 * notes list them (firecrest-api.md section 7) and as they matter for the calls this adapter makes.
 * This is the one allow-list for v1; each entry is shown to be real by
 * {@code FirecrestV1SpecContractTest}. Everything else is validated.
 */
final class V1Differences {

    private V1Differences() {
    }

    static final List<SpecValidator.Difference> ALL = List.of(
            new SpecValidator.Difference("GET", "/tasks", 200, "validation.response.body.schema.type", "/",
                    "The tasks service answers {\"tasks\": {<id>: task}} (an object keyed by task id); the spec"
                            + " declares a list of tasks. SpecValidator checks each task against the spec's task"
                            + " schema for its call and status instead."),
            new SpecValidator.Difference("DELETE", "/compute/jobs/[^/]+", 200, "validation.response.status.unknown", "",
                    "Cancel answers 200 with the task (compute.py); the spec says 204 with a body."),
            new SpecValidator.Difference("(GET|POST|DELETE)", "/compute/.*", 404, "validation.response.status.unknown", "",
                    "Compute answers 'permission denied on the machine' with 404 + X-Permission-Denied;"
                            + " the spec lists only 200/201/204 and 400."),
            new SpecValidator.Difference("(GET|POST|DELETE)", "/compute/.*", 0,
                    "validation.response.body.schema.additionalProperties", "/",
                    "Compute error bodies are {\"description\", \"error\"} (compute.py); the spec's"
                            + " Task-Creation-Error lists only \"error\"."),
            new SpecValidator.Difference("(GET|POST|DELETE)", "/compute/.*", 400, "validation.response.header.schema.type", "/",
                    "Compute's error headers (X-Machine-Not-Available...) carry the message text; the spec types"
                            + " them as integers."));

    /** The spec's schema for a task, by the call that created it and the task's status. */
    static String taskSchema(String method, String path, String status) {
        if (status.equals("100") || status.equals("101")) {
            return "Task-100";
        }
        String outcome = status.equals("200") ? "200" : status.equals("400") ? "400" : "";
        if (outcome.isEmpty()) {
            return "Task";
        }
        if (method.equals("POST") && path.startsWith("/compute/jobs/")) {
            return "Task-Compute-Job-Submitted-" + outcome;
        }
        if (method.equals("GET") && path.equals("/compute/jobs")) {
            return "Task-Compute-Job-Listed-" + outcome;
        }
        if (method.equals("DELETE") && path.startsWith("/compute/jobs/")) {
            return "Task-Compute-Delete-" + outcome;
        }
        return "Task";
    }

    /**
     * Differences inside a task, by the schema it is checked against, the message key's last part
     * and the pointer within the task:
     * <ul>
     * <li>a submit's result also has {@code job_info_extra} (compute.py writes it next to the
     * {@code job_*} paths), which {@code Task-Compute-Job-Submitted-200} does not list;</li>
     * <li>a listing's result is keyed "0", "1"... where the spec names one property "index" (its
     * way of saying "each key"); each row is checked against {@code Job-Listed-Object} instead;</li>
     * <li>the spec has no task schema for {@code GET /compute/partitions} and
     * {@code GET /compute/reservations}: the generic {@code Task} says {@code data} is an object,
     * while compute.py stores scontrol's partitions and reservations as a list.</li>
     * </ul>
     */
    static boolean taskDifference(String schemaName, String method, String path, String key, String pointer) {
        return schemaName.equals("Task-Compute-Job-Submitted-200") && key.endsWith(".schema.additionalProperties")
                && pointer.equals("/data")
                || schemaName.equals("Task-Compute-Job-Listed-200") && key.endsWith(".schema.additionalProperties")
                        && pointer.equals("/data")
                || schemaName.equals("Task") && method.equals("GET")
                        && (path.equals("/compute/partitions") || path.equals("/compute/reservations"))
                        && key.endsWith(".schema.type") && pointer.equals("/data");
    }
}
