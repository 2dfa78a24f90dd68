package io.hpcspawner.scheduler;

import java.util.Map;
import java.util.Optional;

/**
 * A batch job to submit: the rendered script and the structured fields backends that do not read
 * {@code #SBATCH} lines need. {@code environment} holds secrets: never log it.
 */
public record JobSubmission(String name, String user, String script, String partition, int cpus,
        Optional<String> memory, int timeLimitMinutes, Optional<String> account, String workingDirectory,
        String outputPath, Map<String, String> environment) {

    @Override
    public String toString() {
        return "JobSubmission[name=" + name + ", user=" + user + ", partition=" + partition + ", cpus=" + cpus
                + ", timeLimitMinutes=" + timeLimitMinutes + "]";
    }
}
