package io.hpcspawner.probe;

import io.hpcspawner.spawn.port.Sleeper;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One end-to-end check: the check user's server started through the hub, followed in the service's
 * record (submitted with a job id, allocated a node), ready in the hub, reached through the proxy, and
 * stopped. Each step is timed from the one before. Whatever fails after the hub took the start, the
 * server is stopped, so a check never leaves a job behind.
 */
public final class PathCheck {

    private final CheckSettings settings;
    private final Hub hub;
    private final ServerView service;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Consumer<CheckResult> progress;
    private final List<CheckStep> steps = new ArrayList<>();
    private Instant startedAt;
    private Instant last;

    /** @param progress told of the result after each step (the running check's view) */
    public PathCheck(CheckSettings settings, Hub hub, ServerView service, Clock clock, Sleeper sleeper,
            Consumer<CheckResult> progress) {
        this.settings = settings;
        this.hub = hub;
        this.service = service;
        this.clock = clock;
        this.sleeper = sleeper;
        this.progress = progress;
    }

    /** Runs the check to its end and returns the outcome; never throws for a failure of the path. */
    public CheckResult run() {
        startedAt = clock.instant();
        last = startedAt;
        String error = null;
        boolean started = false;
        try {
            int status = hub.start(settings.user(), settings.server(), settings.options());
            started = true;
            step("hub took the start", true, "HTTP " + status);
            URI url = follow();
            reach(url);
        } catch (CheckFailed e) {
            error = e.getMessage();
        } catch (HubException e) {
            error = e.getMessage();
            step(started ? "hub" : "hub took the start", false, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "the check was interrupted";
        }
        if (started) {
            error = stop(error);
        }
        return result(error == null ? "passed" : "failed", clock.instant(), error);
    }

    /** Waits for the job id, the node and the hub's ready; returns the server's URL path. */
    private URI follow() throws InterruptedException {
        Instant deadline = startedAt.plus(settings.timeout());
        boolean submitted = false;
        boolean allocated = false;
        boolean seenByHub = false;
        while (true) {
            Optional<ServerView.Seen> seen = service.seen(settings.user(), settings.server(), startedAt.minusSeconds(1));
            if (seen.isPresent()) {
                ServerView.Seen s = seen.get();
                if (!submitted && s.jobId() != null) {
                    submitted = step("submitted", true, "job " + s.jobId());
                }
                if (!allocated && s.node() != null) {
                    allocated = step("allocated", true, "node " + s.node());
                }
                if ("failed".equals(s.state()) || "stopped".equals(s.state())) {
                    throw fail(submitted ? "the server" : "submitted", "the start " + s.state() + ": " + s.message());
                }
            }
            Optional<Hub.Server> h = hub.server(settings.user(), settings.server());
            if (h.isPresent() && h.get().ready()) {
                if (!allocated && seen.map(ServerView.Seen::node).isPresent()) {
                    allocated = step("allocated", true, "node " + seen.get().node());
                }
                step("server ready", true, h.get().url());
                return URI.create(h.get().url() == null ? "" : h.get().url());
            }
            seenByHub |= h.isPresent();
            String waitingFor = !submitted ? "submitted" : !allocated ? "allocated" : "server ready";
            if (seenByHub && h.isEmpty()) {
                throw fail(waitingFor, "the hub no longer has the server: its start failed"
                        + seen.map(s -> " (" + s.state() + ": " + s.message() + ")").orElse(""));
            }
            if (!clock.instant().isBefore(deadline)) {
                throw fail(waitingFor, "not done within " + settings.timeout().toSeconds() + " s"
                                + seen.map(s -> " (the service says " + s.state() + ": " + s.message() + ")").orElse(""));
            }
            sleeper.sleep(settings.poll());
        }
    }

    private void reach(URI path) {
        if (settings.publicUrl().isEmpty()) {
            step("reached through the proxy", true, "skipped: hpcspawner.health-check.public-url is not set");
            return;
        }
        String base = settings.publicUrl().get().toString().replaceAll("/+$", "");
        URI url = URI.create(base + path + (path.toString().endsWith("/") ? "" : "/") + "api");
        int status = hub.reach(url);
        if (status != 200) {
            throw fail("reached through the proxy", "GET " + url + " answered HTTP " + status);
        }
        step("reached through the proxy", true, "GET " + url.getPath() + ": HTTP 200");
    }

    /** Stops the server and waits until the hub has it stopped; returns the check's error, this step's if none before. */
    private String stop(String error) {
        try {
            hub.stop(settings.user(), settings.server());
            Instant deadline = clock.instant().plus(Duration.ofMinutes(2));
            while (hub.server(settings.user(), settings.server()).filter(s -> s.ready() || s.pending() != null).isPresent()) {
                if (!clock.instant().isBefore(deadline)) {
                    throw new HubException("the hub still has the server running 120 s after the stop");
                }
                sleeper.sleep(settings.poll());
            }
            step("stopped", true, "");
            return error;
        } catch (HubException e) {
            step("stopped", false, e.getMessage());
            return error != null ? error : e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            step("stopped", false, "interrupted");
            return error != null ? error : "the check was interrupted while stopping";
        }
    }

    private boolean step(String name, boolean ok, String detail) {
        Instant now = clock.instant();
        steps.add(new CheckStep(name, ok, Duration.between(last, now).toMillis() / 1000.0, detail));
        last = now;
        progress.accept(result("running", null, null));
        return true;
    }

    private CheckFailed fail(String step, String why) {
        step(step, false, why);
        return new CheckFailed(step + ": " + why);
    }

    private CheckResult result(String state, Instant endedAt, String error) {
        return new CheckResult(state, settings.user(), settings.server(), startedAt, endedAt, List.copyOf(steps), error);
    }

    /** A step failed; the message names it. */
    private static final class CheckFailed extends RuntimeException {
        CheckFailed(String message) {
            super(message);
        }
    }
}
