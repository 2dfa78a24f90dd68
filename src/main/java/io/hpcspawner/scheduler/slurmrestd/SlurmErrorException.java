package io.hpcspawner.scheduler.slurmrestd;

import io.hpcspawner.spawn.port.SchedulerException;

/** slurmrestd answered with a Slurm error number (e.g. 2017, invalid job id). */
final class SlurmErrorException extends SchedulerException {

    private final int errorNumber;

    SlurmErrorException(String message, int errorNumber, boolean transientFailure) {
        super(message, transientFailure);
        this.errorNumber = errorNumber;
    }

    int errorNumber() {
        return errorNumber;
    }
}
