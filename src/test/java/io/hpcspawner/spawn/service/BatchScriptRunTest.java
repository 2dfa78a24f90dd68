package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.rules.JobEnvironment;
import io.hpcspawner.spawn.rules.ShellQuote;
import io.hpcspawner.support.TestConfigs;
import io.quarkus.qute.Engine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the rendered batch script for real in bash, with a stand-in for jupyterhub-singleuser
 * (a tiny Python HTTP server that records its environment) and a real HTTP callback receiver.
 */
class BatchScriptRunTest {

    static final String SINGLEUSER = """
            #!/usr/bin/python3
            import http.server, json, os, sys, urllib.parse
            with open(os.environ["FAKE_ENV_DUMP"], "w") as f:
                json.dump(dict(os.environ), f)
            if os.environ.get("FAKE_FAIL"):
                print("Traceback: ValueError: Missing OAuth client ID", file=sys.stderr)
                sys.exit(3)
            url = urllib.parse.urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
            http.server.HTTPServer((url.hostname, url.port), http.server.SimpleHTTPRequestHandler).serve_forever()
            """;

    @TempDir
    Path dir;
    HttpServer callback;
    final BlockingQueue<String[]> calls = new ArrayBlockingQueue<>(4);
    Process job;

    /** What every process on this machine showed as its command line while the callback was being made. */
    volatile String commandLinesDuringCallback = "";

    @BeforeEach
    void receiver() throws IOException {
        callback = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        callback.createContext("/", ex -> {
            commandLinesDuringCallback = commandLines();
            calls.add(new String[] {ex.getRequestURI().getPath(), ex.getRequestHeaders().getFirst("Authorization"),
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)});
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        callback.start();
    }

    static String commandLines() {
        try {
            Process ps = new ProcessBuilder("ps", "-eo", "args").redirectErrorStream(true).start();
            return new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        callback.stop(0);
        if (job != null) {
            // wait until the stand-in servers are gone, so the next test cannot pick a port one still holds
            List<ProcessHandle> all = new java.util.ArrayList<>(job.descendants().toList());
            all.add(job.toHandle());
            all.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : all) {
                p.onExit().get(10, TimeUnit.SECONDS);
            }
        }
    }

    static final String START_SECRET = "5ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2e75ec2";

    Process run(Map<String, String> hubEnv, boolean fail) throws IOException {
        return run(hubEnv, fail, "40000-40999");
    }

    Process run(Map<String, String> hubEnv, boolean fail, String portRange) throws IOException {
        Map<String, String> props = TestConfigs.minimal();
        props.put("hpcspawner.systems.testsys.bind-address", "127.0.0.1");
        props.put("hpcspawner.systems.testsys.port-range", portRange);
        props.put("hpcspawner.systems.testsys.prelude", "echo prelude-ran");
        SpawnerConfig config = TestConfigs.from(props);
        BatchScriptRenderer renderer = TestConfigs.renderer(config);
        LaunchPlan plan = new LaunchPlan("small", "testsys", "alice", "/home/alice", "debug", 2, Optional.of("4G"), 30,
                Optional.empty(), List.of(), Map.of());
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Map<String, String> site = Map.of("PATH", bin + ":/usr/local/bin:/usr/bin:/bin");
        Map<String, String> environment = JobEnvironment.compose(hubEnv, site);
        String script = renderer.render(new ServerKey("alice", "gpu.1"), plan, DomainSettings.systemsOf(config).get("testsys"),
                "hpcsp-abc", dir.resolve("out.log").toString(), new ReadySignalSetup("abc", START_SECRET,
                        Optional.of("http://127.0.0.1:" + callback.getAddress().getPort() + "/api/v1/callback/abc")),
                environment);
        Path su = bin.resolve("jupyterhub-singleuser");
        Files.writeString(su, SINGLEUSER.stripIndent());
        Files.setPosixFilePermissions(su, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path file = dir.resolve("job.sh");
        Files.writeString(file, script);
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", file.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().clear();
        // What the scheduler exports: only PATH; everything else comes from the script body.
        pb.environment().putAll(JobEnvironment.transport(environment));
        pb.environment().put("FAKE_ENV_DUMP", dir.resolve("env.json").toString());
        if (fail) {
            pb.environment().put("FAKE_FAIL", "1");
        }
        job = pb.start();
        return job;
    }

    @Test
    void theScriptStartsTheServerOnAFreePortAndReportsItOnceItListens() throws Exception {
        String scopes = "[\"access:servers!server=alice/\", \"read:users:activity!user=alice\"]";
        run(Map.of("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/", "JUPYTERHUB_OAUTH_ACCESS_SCOPES", scopes,
                "JUPYTERHUB_API_TOKEN", "hub-token"), false);
        String[] call = calls.poll(20, TimeUnit.SECONDS);
        assertThat(call).as("the ready callback; job output:%n%s", output()).isNotNull();
        assertThat(call[0]).isEqualTo("/api/v1/callback/abc");
        assertThat(call[1]).isEqualTo("Bearer " + START_SECRET);
        String out = output();
        ReadyLine reported = ReadyLine.find(out, "abc", io.hpcspawner.credentials.Secrets.hash(START_SECRET))
                .orElseThrow(() -> new AssertionError("no ready line with a valid proof in:\n" + out));
        assertThat(call[2]).isEqualTo("{\"host\":\"" + reported.host() + "\",\"port\":" + reported.port() + "}");
        assertThat(reported.port()).isBetween(40000, 40999);
        // it really listens there
        try (var socket = new java.net.Socket("127.0.0.1", reported.port())) {
            assertThat(socket.isConnected()).isTrue();
        }
        String env = Files.readString(dir.resolve("env.json"));
        var dumped = new com.fasterxml.jackson.databind.ObjectMapper().readTree(env);
        assertThat(dumped.path("JUPYTERHUB_OAUTH_ACCESS_SCOPES").asText()).isEqualTo(scopes);
        assertThat(dumped.path("JUPYTERHUB_SERVICE_URL").asText())
                .isEqualTo("http://127.0.0.1:" + reported.port() + "/user/alice/");
        assertThat(dumped.path("JUPYTERHUB_API_TOKEN").asText()).isEqualTo("hub-token");
        assertThat(env).doesNotContain(START_SECRET).doesNotContain("hpcsp_").doesNotContain("HPCSPAWNER_");
        assertThat(output()).contains("prelude-ran");
        // scancel sends SIGTERM: the server stops and the job ends
        job.destroy();
        assertThat(job.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    /**
     * A port held by a connection (not a listener: e.g. the local end of an outgoing connection,
     * which Linux takes from 32768-60999, inside the default range) cannot be bound by the server
     * either. Seen on the real stack: "The port 56088 is already in use", the start failed.
     */
    @Test
    void aPortHeldByAConnectionIsNotTakenForFree() throws Exception {
        List<java.net.Socket> held = new java.util.ArrayList<>();
        int base = 0;
        try {
            // four ports in a row, the first three held by connections (a range a previous run left
            // in TIME_WAIT cannot be bound again at once: then another one)
            for (int attempt = 0; attempt < 50 && held.size() < 3; attempt++) {
                held.forEach(BatchScriptRunTest::closeQuietly);
                held.clear();
                base = 41000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(7000);
                try {
                    for (int port = base; port < base + 3; port++) {
                        java.net.Socket s = new java.net.Socket();
                        held.add(s);
                        s.bind(new InetSocketAddress("127.0.0.1", port));
                        s.connect(callback.getAddress());
                    }
                    new java.net.ServerSocket(base + 3, 1, java.net.InetAddress.getLoopbackAddress()).close();
                } catch (IOException inUse) {
                    held.add(new java.net.Socket()); // not this range
                    held.forEach(BatchScriptRunTest::closeQuietly);
                    held.clear();
                }
            }
            assertThat(held).as("three connected ports in a row").hasSize(3);
            run(Map.of("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/"), false, base + "-" + (base + 3));
            String[] call = calls.poll(20, TimeUnit.SECONDS);
            assertThat(call).as("the ready callback; job output:%n%s", output()).isNotNull();
            assertThat(call[2]).endsWith(",\"port\":" + (base + 3) + "}");
        } finally {
            held.forEach(BatchScriptRunTest::closeQuietly);
        }
    }

    static void closeQuietly(java.net.Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }

    @Test
    void aServerThatDiesBeforeItIsReadyEndsTheJobWithItsStatusAndSaysSo() throws Exception {
        run(Map.of("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/"), true);
        assertThat(job.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(job.exitValue()).isEqualTo(3);
        assertThat(output()).contains("Missing OAuth client ID").contains("exited with status 3 before it was ready");
        assertThat(calls).isEmpty();
        assertThat(ReadyLine.find(output(), "abc", io.hpcspawner.credentials.Secrets.hash(START_SECRET))).isEmpty();
    }

    @Test
    void userValuesAreQuotedAndSbatchLinesComeFromTheProfile() throws Exception {
        SpawnerConfig config = TestConfigs.from(TestConfigs.minimal());
        String script = TestConfigs.renderer(config).render(
                new ServerKey("alice", "x-1"), new LaunchPlan("small", "testsys", "alice", "/home/alice", "debug", 2,
                        Optional.of("4G"), 30, Optional.of("proj"), List.of("--constraint=gpu"), Map.of()),
                DomainSettings.systemsOf(config).get("testsys"), "hpcsp-abc", "/home/alice/out.log",
                new ReadySignalSetup("abc", START_SECRET, Optional.empty()), JobEnvironment.compose(Map.of(), Map.of()));
        assertThat(script).contains("#SBATCH --cpus-per-task=2", "#SBATCH --mem=4G", "#SBATCH --time=30",
                "#SBATCH --account=proj", "#SBATCH --constraint=gpu", "#SBATCH --output=/home/alice/out.log",
                "server 'x-1'");
        assertThat(bashSyntaxErrors(script)).isEmpty();
    }

    @Test
    void secretsReachTheServerAndTheCallbackButNeverACommandLine() throws Exception {
        String hubToken = "hub-api-token-" + System.nanoTime();
        run(Map.of("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/", "JUPYTERHUB_API_TOKEN", hubToken), false);
        String[] call = calls.poll(20, TimeUnit.SECONDS);
        assertThat(call).as("the ready callback; job output:%n%s", output()).isNotNull();
        assertThat(call[1]).isEqualTo("Bearer " + START_SECRET);
        // The callback was being made (curl running) when the command lines were read.
        assertThat(commandLinesDuringCallback).contains("curl").doesNotContain(START_SECRET).doesNotContain(hubToken);
        assertThat(commandLines()).doesNotContain(START_SECRET).doesNotContain(hubToken);
        var dumped = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(dir.resolve("env.json")));
        assertThat(dumped.path("JUPYTERHUB_API_TOKEN").asText()).isEqualTo(hubToken);
        assertThat(output()).doesNotContain(START_SECRET).doesNotContain(hubToken);
    }

    @Test
    void environmentValuesReachTheServerByteForByteATrailingNewlineIncluded() throws Exception {
        Map<String, String> hostile = new java.util.LinkedHashMap<>();
        hostile.put("JUPYTERHUB_SERVICE_PREFIX", "/user/alice/");
        hostile.put("TRAILING_NEWLINE", "value\n");
        hostile.put("ONLY_NEWLINES", "\n\n");
        hostile.put("QUOTES", "it's \"quoted\", with commas, `ticks` and $(id) ${HOME}");
        hostile.put("UNICODE", "gr\u00fc\u00dfe \u2603 \u0444\u0430\u0439\u043b");
        hostile.put("BACKSLASHES", "a\\b\\\\c\\");
        hostile.put("EMPTY", "");
        hostile.put("LEADING_DASH", "-n -e");
        hostile.put("CONTROL", "tab\there\rcr\u0001");
        run(hostile, false);
        assertThat(calls.poll(20, TimeUnit.SECONDS)).as("the ready callback; job output:%n%s", output()).isNotNull();
        var dumped = new com.fasterxml.jackson.databind.ObjectMapper().readTree(Files.readString(dir.resolve("env.json")));
        hostile.forEach((name, value) -> assertThat(dumped.path(name).asText()).as(name).isEqualTo(value));
    }

    static String bashSyntaxErrors(String script) throws Exception {
        Process p = new ProcessBuilder("/bin/bash", "-n").redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": " + out;
    }

    @Test
    void shellQuotingSurvivesHostileValues() throws Exception {
        for (String v : List.of("it's", "$(id)", "`id`", "a\nb", "\"; rm -rf ~", "", "$HOME ${PATH} *")) {
            Process p = new ProcessBuilder("/bin/bash", "-c", "printf %s " + ShellQuote.quote(v)).start();
            assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(v);
        }
    }

    String output() throws IOException {
        return Files.readString(dir.resolve("out.log"));
    }

}
