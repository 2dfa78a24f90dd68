package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.credentials.Secrets;
import io.hpcspawner.scheduler.ForwardingScheduler;
import io.hpcspawner.scheduler.slurmrestd.OutputFiles;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.port.ServerStore;
import io.hpcspawner.support.FakeScheduler;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a researcher sees when a start fails and the job's output file (in their own directory) was
 * replaced by a link to one of the service's secrets: the failure, why the output is not shown,
 * and never the secret. The scheduler is the in-memory one, its output read from a shared file
 * system as the slurmrestd backend does ({@link OutputFiles}).
 */
@QuarkusTest
class FailedStartOutputTest {

    /** Not a configured system, so the application's own watcher leaves these records alone. */
    static final String SYSTEM = "shared-fs";
    static final String SECRET = "hub-token-0123456789abcdef-SECRET";

    @Inject
    FakeScheduler slurm;
    @Inject
    ServerStore store;
    @Inject
    Trackers trackers;
    @Inject
    Clock clock;

    @TempDir
    Path dir;
    Path home;
    Reconciler tracker;

    @BeforeEach
    void fresh() throws IOException {
        slurm.reset();
        home = Files.createDirectory(dir.resolve("home"));
        Files.setOwner(home, nobody());
        OutputFiles sharedFs = new OutputFiles(true);
        tracker = trackers.forSystem(SYSTEM, new ForwardingScheduler(slurm) {
            @Override
            public String tail(String path, String user, int lines) {
                return sharedFs.tail(path, user, lines);
            }
        });
    }

    @Test
    void aFailedStartWhoseOutputLinksToASecretDoesNotShowIt() throws IOException {
        Path secret = Files.writeString(dir.resolve("hub-token"), SECRET + "\n");
        ServerRecord r = startedJob("linked");
        Path out = Path.of(r.outputPath());
        Files.createSymbolicLink(out, secret);
        Files.getFileAttributeView(out, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setOwner(nobody());

        endAndTrack(r);

        ServerRecord after = store.find(r.key()).orElseThrow();
        assertThat(after.state()).isEqualTo(ServerState.FAILED);
        assertThat(after.message()).contains("ended (failed, exit code 1) before the server was ready")
                .contains("symbolic link").doesNotContain(SECRET);
        assertThat(after.events()).noneSatisfy(e -> assertThat(e.message()).contains(SECRET));
    }

    @Test
    void aFailedStartShowsTheLastLinesOfTheUsersOwnOutput() throws IOException {
        ServerRecord r = startedJob("own");
        Path out = Files.writeString(Path.of(r.outputPath()), "loading modules\njupyterhub-singleuser: command not found\n");
        Files.setOwner(out, nobody());

        endAndTrack(r);

        assertThat(store.find(r.key()).orElseThrow().message())
                .endsWith("Last lines of its output (" + out + "):\nloading modules\njupyterhub-singleuser: command not found");
    }

    ServerRecord startedJob(String name) {
        ServerKey key = new ServerKey("nobody", name + System.nanoTime());
        String id = Secrets.newServerId();
        String jobName = "hpcsp-" + id;
        LaunchPlan plan = new LaunchPlan("small", SYSTEM, "nobody", home.toString(), "debug", 1, Optional.empty(), 60,
                Optional.empty(), List.of(), Map.of("profile", "small"));
        Instant now = clock.instant();
        ServerRecord r = ServerRecord.newStart(id, key, "start-" + id, Secrets.hash("s"), plan, jobName,
                home.resolve(".hpcspawner-" + jobName + ".log").toString(), now);
        ServerRecords.enter(r, ServerState.SUBMITTING, "Submitting", now);
        ServerRecords.withJob(r, slurm.addForeign(jobName, "nobody").id);
        ServerRecords.enter(r, ServerState.QUEUED, "Queued", now);
        store.save(r);
        return r;
    }

    void endAndTrack(ServerRecord r) {
        slurm.end(slurm.jobs.get(r.jobId()), "FAILED", 1);
        tracker.reconcile(SYSTEM);
    }

    static java.nio.file.attribute.UserPrincipal nobody() throws IOException {
        return FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    }
}
