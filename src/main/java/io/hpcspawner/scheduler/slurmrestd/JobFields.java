package io.hpcspawner.scheduler.slurmrestd;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * Writes fields of a job description ({@code job} in a submit body) in one API version's shapes.
 * Values reach here checked ({@link SbatchOptionFields}).
 */
interface JobFields {

    /** The job description being written. */
    ObjectNode job();

    /** A string field, e.g. {@code qos}: the same in every version. */
    default void text(String field, String value) {
        job().put(field, value);
    }

    /** A plain integer field, e.g. {@code tasks}: the same in every version. */
    default void count(String field, long value) {
        job().put(field, value);
    }

    /** A number Slurm can leave unset or make infinite, e.g. {@code time_limit} (minutes), {@code memory_per_node} (MB). */
    void number(String field, long value);

    /** Removes a field written before, e.g. {@code memory_per_node} when {@code memory_per_cpu} replaces it. */
    default void remove(String field) {
        job().remove(field);
    }

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
