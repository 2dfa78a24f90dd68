package io.hpcspawner.spawn.model;

/** How a started job tells the service where its server listens. */
public enum ReadySignal {
    /** The job posts to the service's public URL; the service also reads its output as a fallback. */
    CALLBACK,
    /** Compute nodes cannot reach the service: it reads the ready line from the job's output. */
    OUTPUT
}
