package io.hpcspawner.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A body that arrives in many pieces reads back whole and in order, as often as asked; an empty one is empty. */
class HeldBodyTest {

    @Test
    void aLargeChunkedBodyReadsBackWholeAndAnEmptyOneIsEmpty() throws Exception {
        byte[] sent = new byte[3_000_001];
        new Random(15).nextBytes(sent);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked
            for (int at = 0; at < sent.length; at += 7_919) {
                exchange.getResponseBody().write(sent, at, Math.min(7_919, sent.length - at));
                exchange.getResponseBody().flush();
            }
            exchange.close();
        });
        server.createContext("/empty", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            BoundedHttp http = new BoundedHttp(Duration.ofSeconds(20));
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            HeldBody big = http.send(HttpRequest.newBuilder(URI.create(base + "/big")).build(), HeldBody.handler()).body();
            assertThat(big.isEmpty()).isFalse();
            assertThat(big.stream().readAllBytes()).isEqualTo(sent);
            assertThat(big.stream().readAllBytes()).as("read again").isEqualTo(sent);
            HttpResponse<HeldBody> empty = http.send(HttpRequest.newBuilder(URI.create(base + "/empty")).build(),
                    HeldBody.handler());
            assertThat(empty.body().isEmpty()).isTrue();
            assertThat(empty.body().stream().read()).isEqualTo(-1);
        } finally {
            server.stop(0);
        }
    }
}
