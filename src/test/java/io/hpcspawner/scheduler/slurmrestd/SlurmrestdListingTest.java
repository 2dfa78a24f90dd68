package io.hpcspawner.scheduler.slurmrestd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.hpcspawner.credentials.SlurmTokenMinter;
import io.hpcspawner.spawn.port.JobPhase;
import io.hpcspawner.spawn.port.SchedulerException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the slurmrestd adapter makes of listings and look-ups that say less than they should: a
 * listing without a job list is a failure (never "no jobs", which would end every server), and a
 * look-up says "unknown" only on Slurm's own "invalid job id".
 */
class SlurmrestdListingTest {

    HttpServer server;
    final Map<String, String[]> answers = new ConcurrentHashMap<>();
    SlurmrestdScheduler slurm;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String[] a = answers.getOrDefault(exchange.getRequestURI().getPath(), new String[] {"404", "{}"});
            byte[] body = a[1].getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(Integer.parseInt(a[0]), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        slurm = new SlurmrestdScheduler(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                new SlurmTokenMinter("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                        Duration.ofMinutes(5), Clock.systemUTC()),
                "slurm", Duration.ofSeconds(5), new OutputFiles(false), new ObjectMapper(),
                Optional.of(SlurmrestdApiVersion.V0_0_38));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    void answer(String path, int status, String body) {
        answers.put("/slurm/v0.0.38" + path, new String[] {Integer.toString(status), body});
    }

    @Test
    void aListingWithANullJobListIsAFailureNotNoJobs() {
        answer("/jobs", 200, "{\"jobs\": null, \"errors\": []}");
        assertThatThrownBy(() -> slurm.jobs(Set.of("1"), "hpcsp-")).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("no job list").matches(e -> ((SchedulerException) e).isTransient());
    }

    @Test
    void aListingWithoutAJobListIsAFailureNotNoJobs() {
        answer("/jobs", 200, "{\"meta\": {}}");
        assertThatThrownBy(() -> slurm.jobs(Set.of("1"), "hpcsp-")).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("\"jobs\" is missing");
    }

    @Test
    void anEmptyJobListIsNoJobs() {
        answer("/jobs", 200, "{\"jobs\": [], \"errors\": []}");
        assertThat(slurm.jobs(Set.of("1"), "hpcsp-")).isEmpty();
    }

    @Test
    void ourPendingJobKnowsItsPlaceAmongEveryPendingJobOfItsPartition() {
        answer("/jobs", 200, "{\"jobs\": ["
                + pendingJob(50, "bob-big", "bob", "debug", 900, 1700000100)
                + ", " + pendingJob(51, "bob-early", "bob", "debug", 100, 1700000000)
                + ", " + pendingJob(52, "hpcsp-x", "alice", "debug", 100, 1700000050)
                + ", " + pendingJob(53, "carol-gpu", "carol", "gpu", 5000, 1700000000)
                + ", {\"job_id\": 54, \"name\": \"dave\", \"user_name\": \"dave\", \"job_state\": \"RUNNING\","
                + " \"partition\": \"debug\", \"priority\": 9999, \"batch_host\": \"nid001\"}"
                + "], \"errors\": []}");
        assertThat(slurm.jobs(Set.of(), "hpcsp-")).singleElement().satisfies(j -> {
            assertThat(j.id()).isEqualTo("52");
            assertThat(j.queuePosition()).contains(3); // behind bob's higher priority and bob's earlier submit
        });
    }

    static String pendingJob(int id, String name, String user, String partition, long priority, long submitted) {
        return "{\"job_id\": " + id + ", \"name\": \"" + name + "\", \"user_name\": \"" + user
                + "\", \"job_state\": \"PENDING\", \"state_reason\": \"Priority\", \"partition\": \"" + partition
                + "\", \"priority\": " + priority + ", \"submit_time\": " + submitted + "}";
    }

    @Test
    void aLookUpOfAJobSlurmForgotIsEmpty() {
        answer("/job/41", 500, "{\"errors\": [{\"error_number\": 2017, \"error\": \"Invalid job id specified\"}]}");
        assertThat(slurm.job("41")).isEmpty();
    }

    @Test
    void aLookUpFindsTheJobWithItsSubmitTime() {
        answer("/job/42", 200, "{\"jobs\": [{\"job_id\": 42, \"name\": \"hpcsp-x\", \"user_name\": \"alice\","
                + " \"job_state\": \"RUNNING\", \"batch_host\": \"nid001\", \"submit_time\": 1700000000}]}");
        assertThat(slurm.job("42")).get().satisfies(j -> {
            assertThat(j.phase()).isEqualTo(JobPhase.RUNNING);
            assertThat(j.submittedAt()).contains(Instant.ofEpochSecond(1700000000));
        });
    }

    @Test
    void aLookUpThatAnswersWithoutTheJobIsADoubt() {
        answer("/job/43", 200, "{\"jobs\": [], \"errors\": []}");
        assertThatThrownBy(() -> slurm.job("43")).isInstanceOf(SchedulerException.class)
                .hasMessageContaining("does not say it is unknown");
    }

    @Test
    void aLookUpThatFailsOtherwiseIsADoubt() {
        answer("/job/44", 500, "{\"errors\": [{\"error_number\": 1007, \"error\": \"Protocol authentication error\"}]}");
        assertThatThrownBy(() -> slurm.job("44")).isInstanceOf(SchedulerException.class);
    }
}
