package io.hpcspawner.logging;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.service.Reconciler;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.support.FakeScheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A user whose start fails controls the output lines the failure message quotes; the log must not
 * let them write lines of their own. The log is captured as the console handler writes it: its
 * configured filter and format.
 */
@QuarkusTest
class LogForgingTest {

    static final String FORGED = "2026-01-01 00:00:00,000 INFO  [io.hpc] forged line";

    @Inject
    FakeScheduler slurm;
    @Inject
    ServerStore store;
    @Inject
    Reconciler tracker;

    ConsoleCapture capture;

    @BeforeEach
    void captureTheConsole() {
        slurm.reset();
        capture = ConsoleCapture.start(null);
    }

    @AfterEach
    void stopCapturing() {
        capture.close();
        slurm.reset();
    }

    @Test
    void aFailedStartsOutputCannotForgeLogLines() {
        slurm.output = "Traceback (most recent call last):\n" + FORGED + "\r\n" + FORGED + "\u2028" + FORGED;
        FakeScheduler.Job job = slurm.addForeign("placeholder", "mallory");
        ServerRecord r = ServerRecords.queued(new ServerKey("mallory", "forge" + System.nanoTime()), job.id);
        store.save(r);
        slurm.end(job, "FAILED", 1);

        tracker.reconcile("testsys");

        String log = String.join("", capture.written());
        assertThat(log).as("the failure was logged").contains(r.key().toString()).contains("forged line");
        assertThat(log.split("[\\n\\r\\u2028\\u2029\\u0085]")).noneMatch(line -> line.startsWith(FORGED));
    }
}
