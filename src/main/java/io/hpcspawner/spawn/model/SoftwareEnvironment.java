package io.hpcspawner.spawn.model;

import java.util.List;

/**
 * A software environment a profile offers (a uenv and its view, a container image), as the site
 * describes it: the {@code #SBATCH} options and prelude lines that select it. Users pick one by
 * key; they never write these lines.
 *
 * @param key the value of the {@code environment} option
 * @param label what the user reads
 * @param description one line under it, possibly empty
 * @param sbatchOptions e.g. {@code --uenv=jupyterlab/5.2:/user-tools} and {@code --view=jupyter}, or
 *        {@code --container-image=nvcr.io/nvidia/pytorch:24.05-py3}
 * @param prelude shell lines run before the server starts (e.g. activating the environment)
 */
public record SoftwareEnvironment(String key, String label, String description, List<String> sbatchOptions,
        List<String> prelude) {

    public SoftwareEnvironment {
        sbatchOptions = List.copyOf(sbatchOptions);
        prelude = List.copyOf(prelude);
    }
}
