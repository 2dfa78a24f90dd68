package io.hpcspawner.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads a start's event stream ({@code .../events}) to its end: each event as its {@code id:}/{@code data:} lines. */
public final class SseEvents {

    private SseEvents() {
    }

    /** The events of a start that has ended, after {@code lastEventId} when not null. */
    public static List<String> read(URI events, String authorization, String lastEventId) throws Exception {
        HttpURLConnection c = (HttpURLConnection) events.toURL().openConnection();
        c.setRequestProperty("Authorization", authorization);
        c.setReadTimeout(5000);
        if (lastEventId != null) {
            c.setRequestProperty("Last-Event-ID", lastEventId);
        }
        assertThat(c.getResponseCode()).isEqualTo(200);
        assertThat(c.getContentType()).startsWith("text/event-stream");
        List<String> found = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder current = new StringBuilder();
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isEmpty()) {
                    if (current.length() > 0) {
                        found.add(current.toString());
                    }
                    current.setLength(0);
                } else if (!line.startsWith(":")) {
                    current.append(line).append('\n');
                }
            }
        }
        return found;
    }
}
