package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * FirecREST v1 answer bodies as the 1.16.6 code writes them (compute.py, tasks.py,
 * utilities.py), shaped after the spec's schemas where the spec is right.
 */
final class V1Bodies {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private V1Bodies() {
    }

    /** {@code Task-Creation-Success}: what every compute call answers at once. */
    static String created(String taskId) {
        ObjectNode o = F.objectNode();
        o.put("success", "Task created");
        o.put("task_id", taskId);
        o.put("task_url", "/tasks/" + taskId);
        return o.toString();
    }

    /** A task as {@code /tasks} lists it; {@code status} is a string, as the server sends it. */
    static ObjectNode task(String id, String status, JsonNode data) {
        ObjectNode t = F.objectNode();
        t.put("task_id", id);
        t.put("hash_id", id);
        t.put("user", "alice");
        t.put("status", status);
        t.put("description", switch (status) {
            case "100" -> "Queued";
            case "101" -> "In progress";
            case "200" -> "Finished successfully";
            case "400" -> "Finished with errors";
            default -> "Other";
        });
        t.set("data", data);
        t.put("service", "compute");
        t.put("system", "daint");
        t.put("created_at", "2025-10-01T10:00:00");
        t.put("updated_at", "2025-10-01T10:00:01");
        t.put("last_modify", "2025-10-01T10:00:01");
        return t;
    }

    static ObjectNode task(String id, String status, String data) {
        return task(id, status, TextNode.valueOf(data));
    }

    /** The {@code GET /tasks?tasks=...} answer: an object keyed by task id (not the spec's list). */
    static String tasks(ObjectNode... tasks) {
        ObjectNode o = F.objectNode();
        ObjectNode byId = o.putObject("tasks");
        for (ObjectNode t : tasks) {
            byId.set(t.get("task_id").asText(), t);
        }
        return o.toString();
    }

    /** The result of a submit task. */
    static ObjectNode submitted(String jobId) {
        ObjectNode d = F.objectNode();
        d.put("result", "Job submitted");
        d.put("jobid", jobId);
        d.put("job_file", "/scratch/alice/firecrest/t1/hpcspawner-alice-default.sh");
        d.put("job_file_out", "/users/alice/.hpcspawner/default.log");
        d.put("job_file_err", "/users/alice/.hpcspawner/default.log");
        d.put("job_data_out", "");
        d.put("job_data_err", "");
        d.put("job_info_extra", "Job info returned successfully");
        return d;
    }

    /** One squeue row of a {@code userJobs=false} listing (no file fields). */
    static ObjectNode row(String jobId, String name, String user, String state, String nodelist) {
        ObjectNode r = F.objectNode();
        r.put("jobid", jobId);
        r.put("partition", "normal");
        r.put("name", name);
        r.put("user", user);
        r.put("state", state);
        r.put("start_time", "2025-10-01T10:00:05");
        r.put("time", "1:02");
        r.put("time_left", "1:58:58");
        r.put("nodes", "1");
        r.put("nodelist", nodelist);
        return r;
    }

    /** A listing task's result: an object keyed "0", "1"... ({} when squeue printed nothing). */
    static ObjectNode listing(ObjectNode... rows) {
        ObjectNode d = F.objectNode();
        for (int i = 0; i < rows.length; i++) {
            d.set(Integer.toString(i), rows[i]);
        }
        return d;
    }

    /** A v1 service error body ({@code Utilities-notok} / {@code Task-Creation-Error}). */
    static String error(String description, String error) {
        ObjectNode o = F.objectNode();
        o.put("description", description);
        o.put("error", error);
        return o.toString();
    }

    static String output(String description, String output) {
        ObjectNode o = F.objectNode();
        o.put("description", description);
        o.put("output", output);
        return o.toString();
    }
}
