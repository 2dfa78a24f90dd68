package io.hpcspawner.scheduler.slurmrestd;

import java.util.Map;

/**
 * Writes fields of a job description ({@code job} in a submit body) in one API version's shapes.
 * Values reach here checked ({@link SbatchOptionFields}).
 */
interface JobFields {

    /** A string field, e.g. {@code qos}. */
    void text(String field, String value);

    /** A plain integer field, e.g. {@code tasks}. */
    void count(String field, long value);

    /** A number Slurm can leave unset or make infinite, e.g. {@code time_limit} (minutes), {@code memory_per_node} (MB). */
    void number(String field, long value);

    /** Removes a field written before, e.g. {@code memory_per_node} when {@code memory_per_cpu} replaces it. */
    void remove(String field);

    /** The job's whole environment (it inherits nothing). */
    void environment(Map<String, String> environment);

    /** Generic resources per node as sbatch's {@code --gres} takes them, e.g. {@code gpu:a100:2,shard:1}. */
    void gresPerNode(String gres);

    /** GPUs for the whole job as {@code --gpus} takes them, e.g. {@code 2} or {@code a100:2}. */
    void gpusPerJob(String gpus);

    /** GPUs per node as {@code --gpus-per-node} takes them. */
    void gpusPerNode(String gpus);

    /** The node count range, {@code --nodes=min[-max]}. */
    void nodes(int min, int max);

    /** {@code --exclusive[=user|mcs]}: {@code mode} is {@code ""}, {@code user} or {@code mcs}. */
    void exclusive(String mode);
}
