package io.hpcspawner.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcspawner.spawn.model.ConflictException;
import io.hpcspawner.support.FakeTime;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The end-to-end check's steps against a scripted hub and service record, without Quarkus: each step
 * timed, the failing step named with its reason, and the server stopped whenever the hub took the start.
 */
class PathCheckTest {

    final FakeTime time = new FakeTime(Instant.parse("2026-12-03T01:00:00Z"));
    final ScriptedHub hub = new ScriptedHub();
    /** The service's record as each poll sees it; the last one stays. */
    final List<Optional<ServerView.Seen>> records = new ArrayList<>();

    static CheckSettings settings(Optional<URI> publicUrl) {
        return new CheckSettings(URI.create("http://hub:8081/hub/api"), () -> "t0ken", "carol", "healthcheck", publicUrl,
                Map.of("profile", "small"), Duration.ofSeconds(60), Duration.ofSeconds(1));
    }

    /** A hub whose answers for the server come from a script (the last one stays), counting stops. */
    static final class ScriptedHub implements Hub {
        int startStatus = 202;
        RuntimeException startRefusal;
        final List<Optional<Server>> answers = new ArrayList<>();
        int reachStatus = 200;
        final List<String> calls = new ArrayList<>();
        boolean stopped;

        @Override
        public int start(String user, String server, Map<String, String> options) {
            calls.add("start " + user + "/" + server + " " + options);
            if (startRefusal != null) {
                throw startRefusal;
            }
            return startStatus;
        }

        @Override
        public Optional<Server> server(String user, String server) {
            if (stopped) {
                return Optional.empty();
            }
            return answers.size() > 1 ? answers.remove(0) : answers.get(0);
        }

        @Override
        public void stop(String user, String server) {
            calls.add("stop");
            stopped = true;
        }

        @Override
        public int reach(URI url) {
            calls.add("reach " + url);
            return reachStatus;
        }
    }

    CheckResult run(Optional<URI> publicUrl) {
        ServerView view = (u, s, since) -> records.size() > 1 ? records.remove(0) : records.get(0);
        return new PathCheck(settings(publicUrl), hub, view, time, time, r -> {
        }).run();
    }

    static Optional<ServerView.Seen> record(String state, String job, String node, String message) {
        return Optional.of(new ServerView.Seen(state, job, node, message));
    }

    static Optional<Hub.Server> pending() {
        return Optional.of(new Hub.Server(false, "spawn", null));
    }

    @Test
    void aHealthyPathPassesWithEachStepTimed() {
        records.addAll(List.of(record("submitting", null, null, ""), record("queued", "4242", null, "Queued"),
                record("queued", "4242", null, "Queued"), record("starting", "4242", "node1", "Starting"),
                record("running", "4242", "node1", "Running")));
        hub.answers.addAll(List.of(pending(), pending(), pending(), pending(),
                Optional.of(new Hub.Server(true, null, "/user/carol/healthcheck/"))));

        CheckResult r = run(Optional.of(URI.create("http://proxy:8000/")));

        assertThat(r.state()).isEqualTo("passed");
        assertThat(r.error()).isNull();
        assertThat(r.steps()).extracting(CheckStep::name).containsExactly("hub took the start", "submitted", "allocated",
                "server ready", "reached through the proxy", "stopped");
        assertThat(r.steps()).extracting(CheckStep::detail).startsWith("HTTP 202", "job 4242", "node node1",
                "/user/carol/healthcheck/", "GET /user/carol/healthcheck/api: HTTP 200");
        assertThat(r.steps()).extracting(CheckStep::seconds).containsExactly(0.0, 1.0, 2.0, 1.0, 0.0, 0.0);
        assertThat(hub.calls).containsExactly("start carol/healthcheck {profile=small}",
                "reach http://proxy:8000/user/carol/healthcheck/api", "stop");
    }

    @Test
    void aFailedStartNamesTheServicesReasonAndIsStopped() {
        records.addAll(List.of(record("queued", "4242", null, "Queued"),
                record("failed", "4242", null, "The job ended (FAILED, exit 1) before its server was ready")));
        hub.answers.add(pending());

        CheckResult r = run(Optional.empty());

        assertThat(r.state()).isEqualTo("failed");
        assertThat(r.error()).isEqualTo("the server: the start failed: The job ended (FAILED, exit 1) before its server was ready");
        assertThat(hub.calls).endsWith("stop");
        assertThat(r.steps()).extracting(CheckStep::name).endsWith("stopped");
    }

    @Test
    void aStartStillQueuedAtTheTimeoutFailsAtItsStepAndLeavesNoJobBehind() {
        records.add(record("queued", "4242", null, "Queued: Resources (waiting for free nodes)"));
        hub.answers.add(pending());

        CheckResult r = run(Optional.empty());

        assertThat(r.state()).isEqualTo("failed");
        assertThat(r.error()).isEqualTo("allocated: not done within 60 s (the service says queued: Queued: Resources"
                + " (waiting for free nodes))");
        assertThat(hub.calls).endsWith("stop");
    }

    @Test
    void aServerTheProxyDoesNotServeFails() {
        records.add(record("running", "4242", "node1", "Running"));
        hub.answers.add(Optional.of(new Hub.Server(true, null, "/user/carol/healthcheck/")));
        hub.reachStatus = 503;

        CheckResult r = run(Optional.of(URI.create("http://proxy:8000")));

        assertThat(r.error()).isEqualTo("reached through the proxy: GET http://proxy:8000/user/carol/healthcheck/api"
                + " answered HTTP 503");
        assertThat(hub.calls).endsWith("stop");
    }

    @Test
    void aStartTheHubRefusesStopsNothing() {
        hub.startRefusal = new HubException("the hub answered HTTP 403 starting the server");
        records.add(Optional.empty());
        hub.answers.add(Optional.empty());

        CheckResult r = run(Optional.empty());

        assertThat(r.state()).isEqualTo("failed");
        assertThat(r.error()).isEqualTo("the hub answered HTTP 403 starting the server");
        assertThat(hub.calls).doesNotContain("stop");
    }

    @Test
    void aServerTheHubDropsFailsAtReady() {
        records.add(record("submitting", null, null, ""));
        hub.answers.addAll(List.of(pending(), Optional.empty()));

        CheckResult r = run(Optional.empty());

        assertThat(r.error()).startsWith("submitted: ").contains("the hub no longer has the server");
    }

    @Test
    void withoutConfigurationTheCheckSaysWhatToSet() {
        HealthChecks checks = new HealthChecks(Optional.empty(), null, (u, s, since) -> Optional.empty(), time, time,
                new SimpleMeterRegistry());

        assertThatThrownBy(checks::start).isInstanceOf(ConflictException.class)
                .hasMessageContaining("hpcspawner.health-check.hub-api-url and hpcspawner.health-check.hub-token");
        assertThat(checks.latest()).isEmpty();
    }
}
