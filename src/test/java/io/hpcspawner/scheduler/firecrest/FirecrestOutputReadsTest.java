package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.hpcspawner.support.FakeTime;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Reading a starting server's output through FirecREST v2 ({@link OutputCursors}): WireMock serves
 * {@code ops/stat} and {@code ops/tail} from files kept here, with the real server's semantics
 * ({@code tail --bytes=+N} from the N-th byte, {@code --lines=N} the last N lines). Every exchange is
 * checked against the 2.5.6 document.
 */
class FirecrestOutputReadsTest {

    static final String FILE = "/users/alice/.hpcspawner/lab.log";
    static final Map<String, byte[]> FILES = new ConcurrentHashMap<>();
    /** The most {@code ops/tail} returns in one answer before it says 413. */
    static volatile int mostInOneAnswer = Integer.MAX_VALUE;

    @RegisterExtension
    static final WireMockExtension wm = WireMockExtension.newInstance()
            .options(wireMockConfig().dynamicPort().extensions(new Files())).build();

    FakeTime clock;
    FirecrestV2Scheduler scheduler;

    /** stat and tail over {@link #FILES}. */
    static final class Files implements ResponseDefinitionTransformerV2 {
        @Override
        public String getName() {
            return "files";
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            LoggedRequest r = event.getRequest();
            String path = URI.create(r.getUrl()).getPath();
            byte[] file = FILES.get(r.queryParameter("path").firstValue());
            if (file == null) {
                return reply(404, JobModelBodies.error("No such file or directory"));
            }
            if (path.endsWith("/ops/stat")) {
                return reply(200, JobModelBodies.stat(file.length));
            }
            if (r.queryParameter("bytes").isPresent()) {
                int n = Integer.parseInt(r.queryParameter("bytes").firstValue());
                int from = Math.min(file.length, n - 1);
                if (file.length - from > mostInOneAnswer) {
                    return reply(413, JobModelBodies.error("Output too large"));
                }
                return reply(200, JobModelBodies.fileFrom(new String(file, from, file.length - from, StandardCharsets.UTF_8), n));
            }
            int lines = Integer.parseInt(r.queryParameter("lines").firstValue());
            return reply(200, JobModelBodies.fileContent(lastLines(new String(file, StandardCharsets.UTF_8), lines), -lines, -1));
        }
    }

    static String lastLines(String text, int lines) {
        String[] all = text.split("(?<=\n)");
        return String.join("", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }

    static ResponseDefinition reply(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body).build();
    }

    @BeforeEach
    void reset() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500)));
        FILES.clear();
        mostInOneAnswer = Integer.MAX_VALUE;
        clock = new FakeTime(Instant.parse("2026-12-02T10:00:00Z"));
        scheduler = new FirecrestV2Scheduler(URI.create(wm.baseUrl()), "daint", FirecrestV2SchedulerTest.TOKENS,
                Duration.ofSeconds(5), new ObjectMapper(), clock);
    }

    @AfterEach
    void everyExchangeFollowsTheSpec() {
        assertThat(SpecValidator.V2.problems(wm.getAllServeEvents(), List.of())).isEmpty();
    }

    static void write(String text) {
        FILES.put(FILE, text.getBytes(StandardCharsets.UTF_8));
    }

    static void append(String text) {
        byte[] old = FILES.getOrDefault(FILE, new byte[0]);
        byte[] add = text.getBytes(StandardCharsets.UTF_8);
        byte[] both = Arrays.copyOf(old, old.length + add.length);
        System.arraycopy(add, 0, both, old.length, add.length);
        FILES.put(FILE, both);
    }

    @Test
    void eachReadGivesTheSameLastLinesAsATailWouldWhileOnlyNewBytesTravel() {
        assertThat(scheduler.tail(FILE, "alice", 200)).as("not written yet").isEmpty();
        append("module load jupyter\n");
        assertThat(scheduler.tail(FILE, "alice", 200)).isEqualTo("module load jupyter\n");
        append("[I ServerApp] starting\n[I ServerApp] half a li");
        assertThat(scheduler.tail(FILE, "alice", 200)).isEqualTo(lastLines(text(), 200));
        append("ne, now whole\nHPCSPAWNER_READY host=nid001 port=51234 proof=ab\n");
        assertThat(scheduler.tail(FILE, "alice", 2)).isEqualTo(lastLines(text(), 2));
        assertThat(scheduler.tail(FILE, "alice", 200)).isEqualTo(lastLines(text(), 200));

        List<String> tails = wm.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .filter(r -> r.getUrl().contains("/ops/tail")).map(r -> r.queryParameter("bytes").firstValue()).toList();
        // newest first: the unfinished line was read again from its start (byte 44), the file's start never again
        int end = FILES.get(FILE).length;
        assertThat(tails).containsExactly(Integer.toString(end + 1), "44", "21", "1");
    }

    @Test
    void aBigFileIsReadFromItsLast64KibAndItsCutFirstLineDropped() {
        StringBuilder big = new StringBuilder();
        for (int i = 0; big.length() < 200_000; i++) {
            big.append("line ").append(i).append(" ").append("x".repeat(90)).append('\n');
        }
        write(big.toString());

        String tail = scheduler.tail(FILE, "alice", 200);

        assertThat(tail).isEqualTo(lastLines(big.toString(), 200));
        ServeEvent read = wm.getAllServeEvents().get(0);
        assertThat(Long.parseLong(read.getRequest().queryParameter("bytes").firstValue()))
                .isEqualTo(big.length() - OutputCursors.FIRST_READ_BYTES + 1);
    }

    @Test
    void moreThanOneAnswerHoldsSinceTheLastReadGoesOnFromTheFilesEnd() {
        mostInOneAnswer = 100_000;
        append("starting\n");
        scheduler.tail(FILE, "alice", 5);
        StringBuilder flood = new StringBuilder();
        for (int i = 0; flood.length() < 300_000; i++) {
            flood.append("debug ").append(i).append(' ').append("y".repeat(80)).append('\n');
        }
        append(flood.toString());

        assertThat(scheduler.tail(FILE, "alice", 5)).isEqualTo(lastLines(text(), 5));
        append("HPCSPAWNER_READY host=nid001 port=51234 proof=ab\n");
        assertThat(scheduler.tail(FILE, "alice", 1)).isEqualTo("HPCSPAWNER_READY host=nid001 port=51234 proof=ab\n");
    }

    @Test
    void multiByteCharactersAreCountedInBytes() {
        append("Grüße aus Zürich ✓\n");
        scheduler.tail(FILE, "alice", 10);
        append("noch eine Zeile\n");
        assertThat(scheduler.tail(FILE, "alice", 10)).isEqualTo("Grüße aus Zürich ✓\nnoch eine Zeile\n");
    }

    @Test
    void aFileThatShrankIsReadAnewAtTheNextCheck() {
        append("old run\n".repeat(10));
        scheduler.tail(FILE, "alice", 5);
        write("requeued\n");
        clock.advance(OutputCursors.RECHECK_AFTER);

        assertThat(scheduler.tail(FILE, "alice", 5)).isEqualTo("requeued\n");
    }

    /**
     * Bytes read per starting server per minute: a server whose start prints one log line
     * (about 110 bytes) per second and is polled every 2 s (the fast interval), for a minute.
     * Before: a 200-line tail per poll. After: the new bytes only (plus one stat).
     */
    @Test
    void measuredBytesPerStartingServerPerMinute() {
        long before = 0;
        for (int second = 1; second <= 60; second++) {
            append(String.format("[I 2026-12-02 10:00:%02d.%03d ServerApp] jupyter_server_terminals | extension was"
                    + " successfully loaded (step %d)%n", second, second * 7, second));
            clock.advance(Duration.ofSeconds(1));
            if (second % 2 == 0) {
                before += JobModelBodies.fileContent(lastLines(text(), 200), -200, -1).getBytes(StandardCharsets.UTF_8).length;
                scheduler.tail(FILE, "alice", 200);
            }
        }
        long after = wm.getAllServeEvents().stream().filter(e -> e.getResponse().getStatus() == 200)
                .mapToLong(e -> e.getResponse().getBodyAsString().getBytes(StandardCharsets.UTF_8).length).sum();
        int calls = wm.getAllServeEvents().size();

        System.out.printf("BENCH firecrest-v2 output reads of one starting server for 1 min (a 110-byte line per second,"
                + " a poll every 2 s): 200-line tails %d bytes in 30 calls; incremental %d bytes in %d calls (file %d bytes)%n",
                before, after, calls, text().length());
        assertThat(after).isLessThan(before / 4);
        assertThat(scheduler.tail(FILE, "alice", 200)).isEqualTo(lastLines(text(), 200));
    }

    static String text() {
        return new String(FILES.get(FILE), StandardCharsets.UTF_8);
    }
}
