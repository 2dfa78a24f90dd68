package io.hpcspawner.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hpcspawner.spawn.model.ProgressEvent;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.service.ServerEvents;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.service.SpawnService;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Serves the progress events of a start as Server-Sent Events: first the stored events after
 * {@code Last-Event-ID}, then new ones as they happen, a keep-alive comment every 10 s, and the
 * end of the stream after the terminal event.
 */
@ApplicationScoped
public class EventStream {

    private final SpawnService spawns;
    private final ServerEvents events;
    private final ObjectMapper json;
    private final ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sse-keep-alive");
        t.setDaemon(true);
        return t;
    });

    public EventStream(SpawnService spawns, ServerEvents events, ObjectMapper json) {
        this.spawns = spawns;
        this.events = events;
        this.json = json;
    }

    void onStop(@Observes ShutdownEvent e) {
        keepAlive.shutdownNow();
    }

    void open(ServerKey key, String lastEventId, SseEventSink sink, Sse sse) {
        long after = parseLastEventId(lastEventId);
        ServerRecord record = spawns.status(key);
        Follower follower = new Follower(key, record.id(), sink, sse, after);
        follower.subscription = events.follow(record.id(), follower::send);
        follower.catchUp(Long.MAX_VALUE); // events saved before the subscription took effect
        follower.keepAlive = keepAlive.scheduleAtFixedRate(follower::ping, 10, 10, TimeUnit.SECONDS);
        if (follower.done) {
            follower.closeSoon();
        }
    }

    private static long parseLastEventId(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("bad_request", "Last-Event-ID must be the number of an event", "Last-Event-ID");
        }
    }

    /** One open stream: sends each event once, in order, and cleans up when the stream ends. */
    private final class Follower {
        private final ServerKey key;
        private final String serverId;
        private final SseEventSink sink;
        private final Sse sse;
        private long sent;
        private boolean done;
        private AutoCloseable subscription;
        private ScheduledFuture<?> keepAlive;

        Follower(ServerKey key, String serverId, SseEventSink sink, Sse sse, long after) {
            this.key = key;
            this.serverId = serverId;
            this.sink = sink;
            this.sse = sse;
            this.sent = after;
        }

        /** Sends the stored events after the last one sent and before {@code before}. */
        synchronized void catchUp(long before) {
            ServerRecord now = spawns.status(key);
            if (!now.id().equals(serverId)) {
                return;
            }
            for (ProgressEvent e : now.events()) {
                if (e.id() > sent && e.id() < before) {
                    deliver(e);
                }
            }
        }

        synchronized void send(ProgressEvent e) {
            if (done || e.id() <= sent) {
                return;
            }
            if (e.id() > sent + 1) {
                catchUp(e.id()); // a live event overtook stored ones: send those first, in order
            }
            deliver(e);
        }

        private void deliver(ProgressEvent e) {
            if (done || e.id() <= sent) {
                return;
            }
            sent = e.id();
            try {
                if (!sendOrLeave(sse.newEventBuilder().id(Long.toString(e.id()))
                        .data(String.class, json.writeValueAsString(EventData.of(e))).build())) {
                    return;
                }
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException(ex);
            }
            if (e.isTerminal()) {
                done = true;
                if (keepAlive != null) {
                    closeSoon();
                }
            }
        }

        synchronized void ping() {
            sendOrLeave(sse.newEventBuilder().comment("keep-alive").build());
        }

        /**
         * Sends one event, or lets the stream go when the client has left: the sink may close
         * between a check and the send (the client hangs up any time). The framework ends the
         * response of a closed connection itself; ending it here as well, possibly before Quarkus
         * REST has written the stream's head, fails that request with a 500.
         */
        private boolean sendOrLeave(OutboundSseEvent event) {
            if (sink.isClosed()) {
                leave();
                return false;
            }
            try {
                sink.send(event).whenComplete((ok, err) -> {
                    if (err != null) {
                        leave();
                    }
                });
                return true;
            } catch (IllegalStateException closedMeanwhile) {
                leave();
                return false;
            }
        }

        /**
         * Ends the stream after the framework has written the response head: closing the sink
         * while the resource method still runs makes Quarkus REST fail the request.
         */
        void closeSoon() {
            EventStream.this.keepAlive.schedule(this::close, 100, TimeUnit.MILLISECONDS);
        }

        synchronized void close() {
            leave();
            if (!sink.isClosed()) {
                sink.close();
            }
        }

        /** Stops following the server: no more events or keep-alives for this stream. */
        synchronized void leave() {
            done = true;
            if (keepAlive != null) {
                keepAlive.cancel(false);
            }
            try {
                if (subscription != null) {
                    subscription.close();
                }
            } catch (Exception ignored) {
                // nothing to release
            }
        }
    }
}
