package io.hpcspawner.spawn;

import io.hpcspawner.config.SpawnerConfig;
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
 * script holds no secret (secrets travel in the job's environment), so it may be logged.
 */
@ApplicationScoped
public class BatchScriptRenderer {

    static final String BUILT_IN = "/hpcspawner/batch-script.sh.qute";

    private final Template template;

    public BatchScriptRenderer(Engine engine, SpawnerConfig config) {
        this.template = engine.parse(load(config));
    }

    private static String load(SpawnerConfig config) {
        try {
            if (config.batch().template().isPresent()) {
                return Files.readString(config.batch().template().get(), StandardCharsets.UTF_8);
            }
            try (InputStream in = BatchScriptRenderer.class.getResourceAsStream(BUILT_IN)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the batch script template: " + e.getMessage(), e);
        }
    }

    /** The script for one start. */
    public String render(ServerKey key, LaunchPlan plan, SpawnerConfig.SystemConfig system, String jobName,
            String outputPath) {
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
        String[] range = system.portRange().split("-");
        Map<String, Object> data = new HashMap<>();
        data.put("sbatch", sbatch);
        data.put("user", ShellQuote.quote(key.user()));
        data.put("server", ShellQuote.quote(key.server()));
        data.put("profile", ShellQuote.quote(plan.profile()));
        data.put("bind", ShellQuote.quote(system.bindAddress()));
        data.put("portMin", Integer.parseInt(range[0]));
        data.put("portMax", Integer.parseInt(range[1]));
        data.put("prelude", system.prelude().orElse(List.of()));
        data.put("command", system.singleuserCommand());
        return template.data(data).render();
    }
}
