package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ConflictException;
import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerNotFoundException;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.SchedulerException;
import io.hpcspawner.spawn.port.SchedulerRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The output of a server's job, fetched by its user (or the hub for them) to see why a start
 * failed. It is read as the server's cluster user through the scheduler, never with the service's
 * own rights: a file the user may not read, or a link, is refused with the reason and never shown.
 * A read the scheduler could not answer now throws the transient {@link SchedulerException} as is.
 */
@ApplicationScoped
public class JobLogs {

    /** Lines answered when the caller names no number. */
    public static final int DEFAULT_LINES = 1000;
    /** The most lines one call answers. */
    public static final int MAX_LINES = 10_000;

    /** The last lines of a job's output; {@code cut} when the output has more lines than were asked for. */
    public record JobLog(String jobId, String path, String text, boolean cut) {
    }

    /** The job's output cannot be read as its user, and waiting will not change that; the message says why. */
    public static final class UnreadableLogException extends RuntimeException {
        UnreadableLogException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final ServerLifecycle lifecycle;
    private final SchedulerRegistry schedulers;

    public JobLogs(ServerLifecycle lifecycle, SchedulerRegistry schedulers) {
        this.lifecycle = lifecycle;
        this.schedulers = schedulers;
    }

    /** The last {@code lines} lines of the output of the job of {@code key}'s current (or last) start. */
    public JobLog read(ServerKey key, int lines) {
        if (lines < 1 || lines > MAX_LINES) {
            throw new InvalidRequestException("bad_request", "lines", "lines must be between 1 and " + MAX_LINES);
        }
        ServerRecord r = lifecycle.find(key).orElseThrow(() -> new ServerNotFoundException(key));
        if (r.jobId() == null || r.outputPath() == null) {
            throw new ConflictException("no_job_output", "server " + key + " has no job yet (" + r.state().wireName()
                    + "): its output can be fetched once the job is submitted");
        }
        String text;
        try {
            text = schedulers.forSystem(r.system()).tail(r.outputPath(), r.unixUser(), lines + 1);
        } catch (SchedulerException e) {
            if (e.isTransient()) {
                throw e;
            }
            throw new UnreadableLogException("the output of job " + r.jobId() + " is not shown: " + e.getMessage(), e);
        }
        if (text.isEmpty() && r.state() == ServerState.QUEUED) {
            throw new ConflictException("no_job_output", "job " + r.jobId() + " of server " + key
                    + " is still queued and has written no output yet");
        }
        List<String> all = text.lines().toList();
        boolean cut = all.size() > lines;
        List<String> shown = cut ? all.subList(all.size() - lines, all.size()) : all;
        return new JobLog(r.jobId(), r.outputPath(), shown.isEmpty() ? "" : String.join("\n", shown) + "\n", cut);
    }
}
