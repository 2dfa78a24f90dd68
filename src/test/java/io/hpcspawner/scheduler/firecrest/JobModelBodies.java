package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * FirecREST v2 answer bodies shaped after the 2.5.6 schemas ({@code JobModel}, {@code JobStatus},
 * {@code JobTime}, {@code JobTask}, {@code ApiResponseError}...), with every property the schema
 * lists, filled as the real server filled them in the recorded answers
 * ({@code shared/specs/recorded/firecrest-v2/}, rest mode): {@code jobId} a string,
 * {@code stateReason} {@code "None"}, {@code interruptSignal} null without a signal, {@code end} 0
 * until the job ends, {@code killRequestUser} {@code ""}.
 */
final class JobModelBodies {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private JobModelBodies() {
    }

    /** A {@code JobModel}; change fields with the {@code with*} helpers. */
    static ObjectNode job(String id, String name, String user, String state) {
        ObjectNode j = F.objectNode();
        j.put("jobId", id);
        j.put("name", name);
        ObjectNode status = j.putObject("status");
        status.put("state", state);
        status.put("stateReason", "None");
        status.put("exitCode", 0);
        status.putNull("interruptSignal");
        ArrayNode tasks = j.putArray("tasks");
        ObjectNode batch = tasks.addObject();
        batch.put("id", id + ".batch");
        batch.put("name", "batch");
        ObjectNode taskStatus = batch.putObject("status");
        taskStatus.put("state", state);
        taskStatus.putNull("stateReason");
        taskStatus.put("exitCode", 0);
        taskStatus.putNull("interruptSignal");
        time(batch.putObject("time"));
        time(j.putObject("time"));
        j.put("account", "csstaff");
        j.put("allocationNodes", 1);
        j.put("cluster", "daint");
        j.put("group", user);
        j.put("nodes", "nid001234");
        j.put("partition", "normal");
        j.put("killRequestUser", "");
        j.put("user", user);
        j.put("workingDirectory", "/users/" + user);
        j.put("priority", 2214);
        return j;
    }

    private static void time(ObjectNode t) {
        t.put("elapsed", 73);
        t.put("start", 1760000000);
        t.put("end", 0); // as recorded from a real FirecREST (rest mode): 0 until the job ends
        t.put("suspended", 0);
        t.put("limit", 240);
    }

    static ObjectNode withStatus(ObjectNode job, String state, String reason, Integer exitCode, Integer signal) {
        ObjectNode status = (ObjectNode) job.get("status");
        status.put("state", state);
        if (reason == null) {
            status.putNull("stateReason");
        } else {
            status.put("stateReason", reason);
        }
        if (exitCode == null) {
            status.putNull("exitCode");
        } else {
            status.put("exitCode", exitCode);
        }
        if (signal == null) {
            status.putNull("interruptSignal");
        } else {
            status.put("interruptSignal", signal);
        }
        return job;
    }

    static ObjectNode withNodes(ObjectNode job, String nodes, int count) {
        job.put("nodes", nodes);
        job.put("allocationNodes", count);
        return job;
    }

    /** {@code GetJobResponse}. */
    static String jobs(List<ObjectNode> jobs) {
        ObjectNode body = F.objectNode();
        body.putArray("jobs").addAll(jobs);
        return body.toString();
    }

    static String jobs(ObjectNode... jobs) {
        return jobs(List.of(jobs));
    }

    /** {@code ApiResponseError} as FirecREST writes it: every key present, nulls included. */
    static String error(String message) {
        ObjectNode e = F.objectNode();
        e.put("errorType", "error");
        e.put("message", message);
        e.putNull("causedBy");
        e.putNull("data");
        e.putNull("user");
        return e.toString();
    }

    /** A request-validation error (HTTP 400): {@code data.fields} lists what was wrong. */
    static String validationError(String message, String location, String name, String fieldMessage) {
        ObjectNode e = F.objectNode();
        e.put("errorType", "validation");
        e.put("message", message);
        e.putNull("causedBy");
        ArrayNode fields = e.putObject("data").putArray("fields");
        ObjectNode f = fields.addObject();
        f.put("location", location);
        f.put("name", name);
        f.put("message", fieldMessage);
        e.put("user", "alice");
        return e.toString();
    }

    /** {@code GetFileTailResponse} / {@code GetFileHeadResponse} of a read by lines. */
    static String fileContent(String content, int start, int end) {
        return fileContent(content, "lines", start, end);
    }

    /** {@code GetFileTailResponse} / {@code GetFileHeadResponse}; {@code unit} is {@code lines} or {@code bytes}. */
    static String fileContent(String content, String unit, long start, long end) {
        ObjectNode out = F.objectNode();
        ObjectNode c = out.putObject("output");
        c.put("content", content);
        c.put("contentType", unit);
        c.put("startPosition", start);
        c.put("endPosition", end);
        return out.toString();
    }

    /** {@code GetFileTailResponse} of {@code tail?bytes=N&skipHeading=true}, as FirecREST words it. */
    static String fileFrom(String content, long bytesParameter) {
        return fileContent(content, "bytes", bytesParameter, -1);
    }

    /** {@code GetFileStatResponse} of a file of {@code size} bytes. */
    static String stat(long size) {
        ObjectNode out = F.objectNode();
        ObjectNode o = out.putObject("output");
        o.put("mode", 33188);
        o.put("ino", 4242);
        o.put("dev", 64769);
        o.put("nlink", 1);
        o.put("uid", 1001);
        o.put("gid", 1001);
        o.put("size", size);
        o.put("atime", 1796185024);
        o.put("ctime", 1796185024);
        o.put("mtime", 1796185024);
        return out.toString();
    }
}
