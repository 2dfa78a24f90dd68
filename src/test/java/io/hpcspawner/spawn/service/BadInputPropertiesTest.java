package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.app.DomainSettings;
import io.hpcspawner.config.SpawnerConfig;
import io.hpcspawner.spawn.rules.JobEnvironment;
import io.hpcspawner.spawn.model.Names;
import io.hpcspawner.spawn.rules.ShellQuote;
import io.hpcspawner.support.TestConfigs;
import io.quarkus.qute.Engine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Bad input, property-based, for the fields that do not depend on the job's environment: user
 * and server names, start ids and each option. A value is either refused naming its field, or
 * accepted; then the rendered batch script passes {@code bash -n}, its {@code #SBATCH} lines are
 * exactly the ones the profile makes, and the value reaches them unchanged.
 *
 * <p>The rule for white space around an option: an option value is trimmed ({@link String#trim()}:
 * every character up to U+0020 at either end, NUL, tab and newlines included) before it is checked,
 * and the job gets the trimmed value. Options are tokens (a profile key, a number, an account name)
 * that can hold none of those characters, so trimming never changes which profile, number or
 * account is chosen, and a form field with a stray space or newline still works. Inside a value
 * every such character is refused; a value that is empty once trimmed means the profile's default.
 * (Environment values are free text and are never trimmed.)
 */
class BadInputPropertiesTest {

    static final List<String> USERS = List.of("alice", "a", "bob.smith", "x_y-z", "u@example.org", "a+b", "A1",
            "u".repeat(64));
    static final List<String> SERVERS = List.of("gpu.1", "", "x-1", "A_b", "s".repeat(64));
    static final List<String> START_IDS = List.of("start-0001", "3f2b8c1e-5d4a-4b9e-8f00-0123456789ab", "a.b_c-d1",
            "s".repeat(128));
    static final Map<String, List<String>> OPTIONS = Map.of(
            "profile", List.of("small", "big"),
            "cpus", List.of("1", "2", "4", "3"),
            "time", List.of("30", "1:00:00", "0:45:00", "120", "05:00"),
            "account", List.of("proj1", "a", "x.y_z-1", "p".repeat(64)));
    static final String JOB = "hpcsp-test";

    final SpawnerConfig config = TestConfigs.from(sitePropertiesForTests());
    final ProfileCatalog catalog = TestConfigs.catalog(config);
    final BatchScriptRenderer renderer = TestConfigs.renderer(config);

    static Map<String, String> sitePropertiesForTests() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.profiles.small.max-cpus", "4");
        p.put("hpcspawner.profiles.small.max-time-limit-minutes", "120");
        p.put("hpcspawner.profiles.big.system", "testsys");
        p.put("hpcspawner.profiles.big.partition", "normal");
        p.put("hpcspawner.profiles.big.cpus", "8");
        p.put("hpcspawner.systems.testsys.bind-address", "127.0.0.1");
        p.put("hpcspawner.systems.testsys.port-range", "41000-41999");
        return p;
    }

    @Provide
    Arbitrary<String> users() {
        return HostileStrings.around(USERS);
    }

    @Provide
    Arbitrary<String> servers() {
        return HostileStrings.around(SERVERS);
    }

    @Provide
    Arbitrary<String> acceptedUsers() {
        return users().filter(u -> accepted(() -> Names.requireUser(u)));
    }

    @Provide
    Arbitrary<String> acceptedServers() {
        return servers().filter(s -> accepted(() -> Names.requireServer(s)));
    }

    /** The generator must produce both accepted and refused values, or the property proves little. */
    static void bothOutcomesSeen() {
        Statistics.coverage(c -> {
            c.check("accepted").count(n -> n >= 30);
            c.check("refused").count(n -> n >= 30);
        });
    }

    static boolean accepted(Runnable check) {
        try {
            check.run();
            return true;
        } catch (InvalidRequestException e) {
            return false;
        }
    }

    @Provide
    Arbitrary<String> startIds() {
        return HostileStrings.around(START_IDS);
    }

    @Provide
    Arbitrary<String> options() {
        return net.jqwik.api.Arbitraries.of(OPTIONS.keySet()).flatMap(o -> HostileStrings.around(OPTIONS.get(o))
                .map(v -> o + "=" + v));
    }

    @Property(tries = 300)
    void aUserNameIsRefusedNamingItOrReachesTheScriptUnchanged(@ForAll("users") String user) throws Exception {
        bothOutcomesSeen();
        ServerKey key;
        try {
            key = new ServerKey(user, "x1");
        } catch (InvalidRequestException e) {
            assertThat(e.field()).isEqualTo("user");
            Statistics.collect("refused");
            return;
        }
        Statistics.collect("accepted");
        LaunchPlan plan = catalog.plan(user, Map.of());
        String script = render(key, plan);
        assertSafe(script, key, plan);
        assertThat(script).contains("#SBATCH --output=/home/" + user + "/.hpcspawner-" + JOB + ".log\n");
    }

    @Property(tries = 300)
    void aServerNameIsRefusedNamingItOrReachesTheScriptUnchanged(@ForAll("servers") String server) throws Exception {
        bothOutcomesSeen();
        ServerKey key;
        try {
            key = new ServerKey("alice", server);
        } catch (InvalidRequestException e) {
            assertThat(e.field()).isEqualTo("server");
            Statistics.collect("refused");
            return;
        }
        Statistics.collect("accepted");
        LaunchPlan plan = catalog.plan("alice", Map.of());
        assertSafe(render(key, plan), key, plan);
    }

    @Property(tries = 300)
    void aStartIdIsRefusedNamingItOrIsOfTheDocumentedForm(@ForAll("startIds") String startId) {
        bothOutcomesSeen();
        try {
            Names.requireStartId(startId);
        } catch (InvalidRequestException e) {
            assertThat(e.field()).isEqualTo("startId");
            Statistics.collect("refused");
            return;
        }
        Statistics.collect("accepted");
        assertThat(startId).matches("[A-Za-z0-9._-]{8,128}");
    }

    @Property(tries = 600)
    void anOptionIsRefusedNamingItOrReachesTheScriptTrimmedAndOtherwiseUnchanged(@ForAll("options") String choice)
            throws Exception {
        String option = choice.substring(0, choice.indexOf('='));
        String value = choice.substring(choice.indexOf('=') + 1);
        LaunchPlan plan;
        try {
            plan = catalog.plan("alice", options(option, value));
        } catch (InvalidRequestException e) {
            assertThat(e.field()).isEqualTo("options." + option);
            assertThat(e.getMessage()).hasSizeLessThan(400); // control characters: escaped by the API (BadInputApiTest)
            Statistics.collect(option, "refused");
            return;
        }
        Statistics.collect(option, "accepted");
        String trimmed = value.trim();
        assertThat(value).as("only characters up to U+0020 around the value are dropped")
                .matches("[\\x00-\\x20]*+" + java.util.regex.Pattern.quote(trimmed) + "[\\x00-\\x20]*+");
        assertThat(trimmed).doesNotContainPattern("[\\x00-\\x20\\x7f]");
        assertThat(catalog.plan("alice", options(option, trimmed))).as("the trimmed value chooses the same")
                .isEqualTo(plan);
        if (trimmed.isEmpty()) {
            assertThat(plan).as("an empty value means the profile's default")
                    .isEqualTo(catalog.plan("alice", option.equals("profile") ? Map.of() : Map.of("profile", "small")));
            return;
        }
        switch (option) {
            case "profile" -> assertThat(plan.profile()).isEqualTo(trimmed);
            case "cpus" -> assertThat(plan.cpus()).isEqualTo(Integer.parseInt(trimmed));
            case "time" -> assertThat(trimmed).matches("\\d{1,6}|(\\d{1,3}:)?\\d{1,2}:\\d{2}");
            case "account" -> assertThat(plan.account()).contains(trimmed);
            default -> throw new AssertionError(option);
        }
        ServerKey key = new ServerKey("alice", "x1");
        assertSafe(render(key, plan), key, plan);
    }

    /** The trimming rule, pinned with examples (see the class comment). */
    @Example
    void whiteSpaceAroundAnOptionIsDroppedAndInsideItIsRefused() {
        assertThat(catalog.plan("alice", options("cpus", " 4 ")).cpus()).isEqualTo(4);
        assertThat(catalog.plan("alice", options("cpus", "4\n")).cpus()).isEqualTo(4);
        assertThat(catalog.plan("alice", options("cpus", "\t2\r\n")).cpus()).isEqualTo(2);
        assertThat(catalog.plan("alice", options("cpus", "3\0")).cpus()).isEqualTo(3);
        assertThat(catalog.plan("alice", options("account", " proj1\n")).account()).contains("proj1");
        assertThat(catalog.plan("alice", options("profile", "big\n")).profile()).isEqualTo("big");
        assertThat(catalog.plan("alice", options("time", " 1:00:00 ")).timeLimitMinutes()).isEqualTo(60);
        for (String[] refused : new String[][] {{"cpus", "4 4"}, {"cpus", "4\n4"}, {"account", "pro j1"},
                {"account", "proj1\n#SBATCH --uid=0"}, {"profile", "sm all"}, {"time", "1:00\n:00"}}) {
            try {
                catalog.plan("alice", options(refused[0], refused[1]));
                throw new AssertionError("accepted " + refused[0] + "=" + refused[1].replace("\n", "\\n"));
            } catch (InvalidRequestException e) {
                assertThat(e.field()).isEqualTo("options." + refused[0]);
            }
        }
    }

    /**
     * The script runs in bash with hostile but accepted names and options: the stand-in
     * jupyterhub-singleuser runs once with the arguments the site configured, nothing else runs.
     */
    @Property(tries = 12)
    void theScriptRunsWithAcceptedValues(@ForAll("acceptedUsers") String user, @ForAll("acceptedServers") String server,
            @ForAll("options") String choice) throws Exception {
        String option = choice.substring(0, choice.indexOf('='));
        String value = choice.substring(choice.indexOf('=') + 1);
        ServerKey key;
        LaunchPlan plan;
        try {
            key = new ServerKey(user, server);
            plan = catalog.plan(user, options(option, value));
        } catch (InvalidRequestException refused) {
            return; // the properties above cover refusals
        }
        Path dir = Files.createTempDirectory("hpcsp-run");
        try {
            Path bin = Files.createDirectories(dir.resolve("bin"));
            Path standIn = bin.resolve("jupyterhub-singleuser");
            Files.writeString(standIn, "#!/bin/bash\nprintf 'SINGLEUSER-RAN %s\\n' \"$*\"\n");
            Files.setPosixFilePermissions(standIn, PosixFilePermissions.fromString("rwx------"));
            Path script = Files.writeString(dir.resolve("job.sh"),
                    render(key, plan, Map.of("PATH", bin + ":/usr/bin:/bin")));
            ProcessBuilder pb = new ProcessBuilder("/bin/bash", script.toString()).directory(dir.toFile())
                    .redirectErrorStream(true);
            pb.environment().clear();
            pb.environment().put("PATH", bin + ":/usr/bin:/bin");
            pb.environment().put("HOME", dir.toString());
            Process job = pb.start();
            String out = new String(job.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(job.waitFor(20, TimeUnit.SECONDS)).as(out).isTrue();
            assertThat(job.exitValue()).as(out).isZero();
            assertThat(out.lines().filter(l -> l.startsWith("SINGLEUSER-RAN"))).as(out).containsExactly("SINGLEUSER-RAN ");
            assertThat(out).contains("exited with status 0 before it was ready");
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("bin", "job.sh");
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Map<String, Object> options(String option, String value) {
        Map<String, Object> options = new LinkedHashMap<>();
        if (!option.equals("profile")) {
            options.put("profile", "small"); // no fixed account, so account is the user's choice
        }
        options.put(option, value);
        return options;
    }

    String render(ServerKey key, LaunchPlan plan) {
        return render(key, plan, Map.of());
    }

    /** With {@code site} as the system's environment (the script exports it, PATH included). */
    String render(ServerKey key, LaunchPlan plan, Map<String, String> site) {
        SystemSettings system = DomainSettings.systemsOf(config).get(plan.system());
        String output = system.outputPath().replace("{workdir}", plan.workingDirectory())
                .replace("{user}", plan.unixUser()).replace("{job}", JOB);
        return renderer.render(key, plan, system, JOB, output, new ReadySignalSetup("srv123", "0".repeat(64),
                java.util.Optional.empty()), JobEnvironment.compose(Map.of(), site));
    }

    /**
     * The script passes {@code bash -n}; its {@code #SBATCH} lines are exactly the profile's, with
     * the plan's values verbatim (a value cannot add, split or end a directive); the names appear
     * only shell-quoted in one comment line.
     */
    static void assertSafe(String script, ServerKey key, LaunchPlan plan) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/bash", "-n").redirectErrorStream(true).start();
        p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String errors = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("bash -n: %s", errors).isZero();
        List<String> expected = new ArrayList<>(List.of("#SBATCH --job-name=" + JOB, "#SBATCH --partition=" + plan.partition(),
                "#SBATCH --ntasks=1", "#SBATCH --cpus-per-task=" + plan.cpus(), "#SBATCH --time=" + plan.timeLimitMinutes()));
        plan.memory().ifPresent(m -> expected.add("#SBATCH --mem=" + m));
        plan.account().ifPresent(a -> expected.add("#SBATCH --account=" + a));
        expected.add("#SBATCH --output=" + plan.workingDirectory() + "/.hpcspawner-" + JOB + ".log");
        plan.extraSbatchOptions().forEach(o -> expected.add("#SBATCH " + o));
        assertThat(script.lines().filter(l -> l.startsWith("#SBATCH"))).containsExactlyElementsOf(expected);
        assertThat(script.lines().takeWhile(l -> l.startsWith("#")).count()).as("the directives come first")
                .isGreaterThan(expected.size());
        assertThat(script).contains("\n# Batch script rendered by hpcspawner: profile " + ShellQuote.quote(plan.profile())
                + ", user " + ShellQuote.quote(key.user()) + ", server " + ShellQuote.quote(key.server()) + ".\n");
    }
}
