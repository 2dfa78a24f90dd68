package io.hpcspawner.scheduler.firecrest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cluster behind the FirecREST simulator: each submitted batch script waits in a "queue"
 * for a moment, then runs on this machine as its user ({@code runuser}, in a process group of
 * its own, stdout and stderr appended to the job's output file), as a one-node Slurm would run
 * it. Cancel sends SIGTERM to the group (SIGKILL 10 s later). Needs root.
 */
final class SimulatedCluster {

    enum State { PENDING, RUNNING, COMPLETED, FAILED, CANCELLED }

    /** One job; fields change as it runs. */
    static final class Job {
        final String id;
        final String name;
        final String user;
        final String workingDirectory;
        final String output;
        final Instant submitted = Instant.now();
        volatile State state = State.PENDING;
        volatile Integer exitCode;
        volatile Instant started;
        volatile Instant ended;
        volatile boolean cancelRequested;
        volatile Process process;
        volatile ScheduledFuture<?> launch;

        Job(String id, String name, String user, String workingDirectory, String output) {
            this.id = id;
            this.name = name;
            this.user = user;
            this.workingDirectory = workingDirectory;
            this.output = output;
        }
    }

    private final Path scripts;
    private final Duration queueTime;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong(100_000 + Instant.now().getEpochSecond() % 800_000);
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "simulated-cluster");
        t.setDaemon(true);
        return t;
    });

    SimulatedCluster(Path stateDirectory, Duration queueTime) {
        this.scripts = stateDirectory.resolve("scripts");
        this.queueTime = queueTime;
        try {
            Files.createDirectories(scripts);
            Files.setPosixFilePermissions(scripts, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Queues a job; it starts after the queue time. */
    Job submit(String user, String name, String workingDirectory, String script, Map<String, String> env, String output) {
        String id = Long.toString(ids.incrementAndGet());
        Path file = scripts.resolve(id + ".sh");
        try {
            Files.writeString(file, script, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Job job = new Job(id, name, user, workingDirectory, output);
        jobs.put(id, job);
        job.launch = timer.schedule(() -> run(job, file, env), queueTime.toMillis(), TimeUnit.MILLISECONDS);
        return job;
    }

    private synchronized void run(Job job, Path script, Map<String, String> env) {
        if (job.cancelRequested) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/setsid", "/usr/sbin/runuser", "-u", job.user, "--", "/bin/bash", "-c",
                "cd \"$1\" && exec /bin/bash \"$2\" >>\"$3\" 2>&1", "hpcsp-sim-job", job.workingDirectory,
                script.toString(), job.output);
        pb.environment().clear();
        pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
        pb.environment().putAll(env);
        pb.environment().put("SLURM_JOB_ID", job.id);
        pb.environment().put("SLURM_JOB_NAME", job.name);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        try {
            Process p = pb.start();
            job.process = p;
            job.started = Instant.now();
            job.state = State.RUNNING;
            p.onExit().thenAccept(done -> ended(job, done.exitValue()));
        } catch (IOException e) {
            job.exitCode = 1;
            job.ended = Instant.now();
            job.state = State.FAILED;
        }
    }

    private static void ended(Job job, int exit) {
        job.exitCode = exit;
        job.ended = Instant.now();
        job.state = job.cancelRequested ? State.CANCELLED : exit == 0 ? State.COMPLETED : State.FAILED;
    }

    /** Cancels a job; true if it had not ended yet. */
    synchronized boolean cancel(Job job) {
        if (job.state != State.PENDING && job.state != State.RUNNING) {
            return false;
        }
        job.cancelRequested = true;
        if (job.state == State.PENDING) {
            job.launch.cancel(false);
            job.ended = Instant.now();
            job.state = State.CANCELLED;
            return true;
        }
        long group = job.process.pid();
        signal("TERM", group);
        timer.schedule(() -> {
            if (job.process.isAlive()) {
                signal("KILL", group);
            }
        }, 10, TimeUnit.SECONDS);
        return true;
    }

    private static void signal(String name, long group) {
        try {
            new ProcessBuilder("/bin/kill", "-" + name, "--", "-" + group).inheritIO().start().waitFor(5, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Optional<Job> job(String id) {
        return Optional.ofNullable(jobs.get(id));
    }

    List<Job> all() {
        return new ArrayList<>(jobs.values());
    }

    /**
     * {@code head} or {@code tail} of a file, read as {@code user} as FirecREST runs them: {@code lines}
     * or {@code bytes} (not both), and with {@code skip} (FirecREST's skipHeading/skipTrailing) the
     * whole file but the first (tail: {@code --bytes=+N} starts at the N-th byte) or last N.
     * Empty when it cannot be read.
     */
    Optional<String> read(String op, String user, String path, Integer lines, Integer bytes, boolean skip) {
        List<String> command = new ArrayList<>(List.of("/usr/sbin/runuser", "-u", user, "--", op));
        String sign = skip ? (op.equals("tail") ? "+" : "-") : "";
        if (bytes != null) {
            command.add("--bytes=" + sign + bytes);
        } else {
            command.add("--lines=" + sign + (lines == null ? 10 : lines));
        }
        command.add("--");
        command.add(path);
        return run(command);
    }

    /** The size of a file (links followed), as {@code user} sees it; empty when it cannot be read. */
    Optional<Long> size(String user, String path) {
        return run(List.of("/usr/sbin/runuser", "-u", user, "--", "stat", "-L", "-c", "%s", "--", path))
                .map(String::trim).map(Long::parseLong);
    }

    private static Optional<String> run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Ends every job still running (the simulator is shutting down). */
    void shutdown() {
        jobs.values().forEach(this::cancel);
        timer.shutdown();
    }
}
