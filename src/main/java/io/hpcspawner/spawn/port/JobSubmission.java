package io.hpcspawner.spawn.port;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A batch job to submit: the rendered script and the structured fields backends that do not read
 * {@code #SBATCH} lines need. {@code environment} holds secrets: never log it.
 *
 * @param sbatchOptions the profile's extra sbatch options (e.g. {@code --qos=high}), already
 *        written as {@code #SBATCH} lines in the script; backends whose API ignores those lines
 *        (slurmrestd) send them as the job's fields
 */
public record JobSubmission(String name, String user, String script, String partition, int cpus,
        Optional<String> memory, int timeLimitMinutes, Optional<String> account, String workingDirectory,
        String outputPath, Map<String, String> environment, List<String> sbatchOptions) {

    /** A job without extra sbatch options. */
    public JobSubmission(String name, String user, String script, String partition, int cpus,
            Optional<String> memory, int timeLimitMinutes, Optional<String> account, String workingDirectory,
            String outputPath, Map<String, String> environment) {
        this(name, user, script, partition, cpus, memory, timeLimitMinutes, account, workingDirectory, outputPath,
                environment, List.of());
    }

    public JobSubmission {
        sbatchOptions = List.copyOf(sbatchOptions);
    }

    @Override
    public String toString() {
        return "JobSubmission[name=" + name + ", user=" + user + ", partition=" + partition + ", cpus=" + cpus
                + ", timeLimitMinutes=" + timeLimitMinutes + ", sbatchOptions=" + sbatchOptions + "]";
    }
}
