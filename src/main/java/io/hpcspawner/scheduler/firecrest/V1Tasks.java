package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcspawner.spawn.port.SchedulerException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * FirecREST v1's task mechanism: compute calls only create a task ({@code task_id}); its result is
 * read from {@code GET /tasks?tasks=<id>,<id>} (one call for many tasks). Tasks are polled with a
 * growing pause until each is final or {@link Pacing#timeout()} has passed; a transient failure of
 * a poll (429, 5xx, a timeout) is waited out within that bound, because the task itself goes on
 * on the server. Status strings: {@code "100"} queued, {@code "101"} in progress, {@code "200"}
 * finished, {@code "300"} deleted, {@code "301"} expired, {@code "302"} invalid, {@code "400"}
 * finished with errors; final means 200 or 300 and above.
 */
final class V1Tasks {

    /**
     * @param firstPause pause before the first poll (the task was just created)
     * @param maxPause the pause doubles up to this
     * @param timeout how long a task may take before the caller gets a transient failure
     */
    record Pacing(Duration firstPause, Duration maxPause, Duration timeout) {
    }

    /** A task in a final state. {@code data} is the result: an object, a list or a text, depending on the call. */
    record Task(String id, int status, String description, JsonNode data) {

        boolean succeeded() {
            return status == 200;
        }

        /** What went wrong, in the server's words: {@code data} when it is a text, else the description. */
        String problem() {
            String d = data.isTextual() ? data.asText() : "";
            String words = d.isBlank() ? description : d;
            String what = switch (status) {
                case 300 -> "the task was deleted";
                case 301 -> "the task expired";
                case 302 -> "the task was invalid";
                default -> "";
            };
            return FirecrestClient.clip(what.isEmpty() ? words : words.isBlank() ? what : what + " (" + words + ")");
        }

        static boolean isFinal(int status) {
            return status == 200 || status >= 300;
        }
    }

    private final FirecrestClient client;
    private final Pacing pacing;

    V1Tasks(FirecrestClient client, Pacing pacing) {
        this.client = client;
        this.pacing = pacing;
    }

    /** A task id from a task-creating answer ({@code {"success": "Task created", "task_id": ...}}). */
    static String taskId(FirecrestClient.Answer answer) {
        String id = JobModels.id(answer.object().path("task_id"));
        if (id.isEmpty()) {
            throw FirecrestClient.unexpected(answer.what(), "no task_id in the answer");
        }
        return id;
    }

    /** Waits for one task; see {@link #await(List, String, String)}. */
    Task await(String taskId, Bearer token, String what) {
        return await(List.of(taskId), token, what).get(taskId);
    }

    /**
     * Polls until every task is final and returns them by id. Throws a transient
     * {@link SchedulerException} naming {@code what} when the bound passes; a non-transient failure
     * of a poll (401, 403...) ends the wait at once.
     */
    Map<String, Task> await(List<String> taskIds, Bearer token, String what) {
        long deadline = System.nanoTime() + pacing.timeout().toNanos();
        Duration pause = pacing.firstPause();
        Map<String, Task> done = new LinkedHashMap<>();
        Map<String, Integer> lastSeen = new LinkedHashMap<>();
        SchedulerException lastFailure = null;
        while (true) {
            sleep(pause, what);
            List<String> open = new ArrayList<>(taskIds);
            open.removeAll(done.keySet());
            try {
                for (Map.Entry<String, JsonNode> e : poll(open, token).entrySet()) {
                    JsonNode t = e.getValue();
                    int status = status(t.path("status"));
                    lastSeen.put(e.getKey(), status);
                    if (open.contains(e.getKey()) && Task.isFinal(status)) {
                        done.put(e.getKey(), new Task(e.getKey(), status, JobModels.text(t.path("description")),
                                t.path("data")));
                    }
                }
                lastFailure = null;
            } catch (SchedulerException e) {
                if (!e.isTransient()) {
                    throw e;
                }
                lastFailure = e;
            }
            if (done.size() == taskIds.size()) {
                return done;
            }
            if (System.nanoTime() + pause.toNanos() > deadline) {
                throw timedOut(taskIds, done, lastSeen, what, lastFailure);
            }
            pause = pause.multipliedBy(2).compareTo(pacing.maxPause()) > 0 ? pacing.maxPause() : pause.multipliedBy(2);
        }
    }

    /**
     * One {@code GET /tasks?tasks=...}: the server answers {@code {"tasks": {id: task}}} (the spec says a
     * list; both are read). Ids it does not know are left out, so they count as still open.
     */
    private Map<String, JsonNode> poll(List<String> ids, Bearer token) {
        FirecrestClient.Answer answer = client.send("GET", "/tasks", Map.of("tasks", String.join(",", ids)), token,
                Map.of(), null);
        JsonNode tasks = answer.object().path("tasks");
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        if (tasks.isObject()) {
            tasks.fields().forEachRemaining(e -> byId.put(e.getKey(), e.getValue()));
        } else if (tasks.isArray()) {
            tasks.forEach(t -> byId.put(JobModels.id(t.path("task_id")), t));
        } else {
            throw FirecrestClient.unexpected(answer.what(), "\"tasks\" is neither an object nor a list");
        }
        return byId;
    }

    private static int status(JsonNode status) {
        try {
            return Integer.parseInt(JobModels.text(status).trim());
        } catch (NumberFormatException e) {
            return 0; // unknown: keep polling
        }
    }

    private SchedulerException timedOut(List<String> ids, Map<String, Task> done, Map<String, Integer> lastSeen,
            String what, SchedulerException lastFailure) {
        List<String> open = new ArrayList<>();
        for (String id : ids) {
            if (!done.containsKey(id)) {
                Integer s = lastSeen.get(id);
                open.add(id + " (" + (s == null ? "not listed by FirecREST" : s == 100 ? "queued" : s == 101
                        ? "in progress" : "status " + s) + ")");
            }
        }
        String message = what + ": FirecREST task " + String.join(", ", open) + " did not finish within "
                + pacing.timeout().toSeconds() + " s"
                + (lastFailure == null ? "" : "; last poll failed: " + lastFailure.getMessage());
        return new SchedulerException(message, true, lastFailure);
    }

    private static void sleep(Duration pause, String what) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchedulerException(what + ": interrupted while waiting for a FirecREST task", true, e);
        }
    }
}
