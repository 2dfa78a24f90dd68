package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.BatchTemplate;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.spawn.rules.JobEnvironment;
import io.hpcspawner.spawn.rules.ShellQuote;
import io.quarkus.qute.Engine;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders the batch script from the site's Qute template. Every user-derived value reaches the
 * template validated and shell-quoted; {@code #SBATCH} lines come from profile fields only. The
 * script carries the job's environment and the start secret in its body (the one place only the
 * job's user and the admins can read, like the job itself; never a command line or the
 * scheduler's exported environment), so it is never logged.
 */
@ApplicationScoped
public class BatchScriptRenderer {

    static final String BUILT_IN = "/hpcspawner/batch-script.sh.qute";

    private final Template template;

    public BatchScriptRenderer(Engine engine, BatchTemplate source) {
        this.template = engine.parse(load(source));
    }

    private static String load(BatchTemplate source) {
        try {
            if (source.file().isPresent()) {
                return Files.readString(source.file().get(), StandardCharsets.UTF_8);
            }
            try (InputStream in = BatchScriptRenderer.class.getResourceAsStream(BUILT_IN)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the batch script template: " + e.getMessage(), e);
        }
    }

    /** The script for one start; {@code environment} is the job's whole environment ({@link JobEnvironment#compose}). */
    public String render(ServerKey key, LaunchPlan plan, SystemSettings system, String jobName,
            String outputPath, ReadySignalSetup signal, Map<String, String> environment) {
        List<String> sbatch = new ArrayList<>();
        sbatch.add("--job-name=" + jobName);
        sbatch.add("--partition=" + plan.partition());
        sbatch.add("--ntasks=1");
        sbatch.add("--cpus-per-task=" + plan.cpus());
        sbatch.add("--time=" + plan.timeLimitMinutes());
        plan.memory().ifPresent(m -> sbatch.add("--mem=" + m));
        plan.account().ifPresent(a -> sbatch.add("--account=" + a));
        sbatch.add("--output=" + outputPath);
        sbatch.addAll(plan.extraSbatchOptions());
        Map<String, Object> data = new HashMap<>();
        data.put("sbatch", sbatch);
        data.put("user", ShellQuote.quote(key.user()));
        data.put("server", ShellQuote.quote(key.server()));
        data.put("profile", ShellQuote.quote(plan.profile()));
        data.put("bind", ShellQuote.quote(system.bindAddress()));
        data.put("portMin", system.portLow());
        data.put("portMax", system.portHigh());
        List<String> prelude = new ArrayList<>(plan.prelude()); // the software environment's, then the system's
        prelude.addAll(system.prelude());
        data.put("prelude", prelude);
        data.put("command", system.singleuserCommand());
        data.put("environment", JobEnvironment.exportLines(environment));
        data.put("serverId", ShellQuote.quote(signal.serverId()));
        data.put("startSecret", ShellQuote.quote(signal.startSecret()));
        data.put("callbackUrl", ShellQuote.quote(signal.callbackUrl().orElse("")));
        return template.data(data).render();
    }
}
