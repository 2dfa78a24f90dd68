package io.hpcspawner.http;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An HTTP client whose every call ends within a total time: connecting, the answer's headers and
 * its whole body. The JDK's own request timeout stops counting once the headers have arrived (Java
 * 17), so a server that sends headers and then stalls the body would hold the caller for ever;
 * here the call is cancelled at the bound and fails with {@link HttpTimeoutException}, so callers
 * keep their one "timed out" branch. Every outbound HTTP call of the service goes through one.
 */
public final class BoundedHttp {

    private final HttpClient http;
    private final Duration total;

    /** HTTP/1.1, connect timeout and total time both {@code total}. */
    public BoundedHttp(Duration total) {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(total).build(), total);
    }

    public BoundedHttp(HttpClient http, Duration total) {
        if (total == null || total.isZero() || total.isNegative()) {
            throw new IllegalArgumentException("the total time of a call must be longer than zero");
        }
        this.http = http;
        this.total = total;
    }

    /** The bound of one call. */
    public Duration total() {
        return total;
    }

    /**
     * Sends the request and reads the whole answer within {@link #total()}.
     *
     * @throws HttpTimeoutException when the bound passes first (the exchange is cancelled)
     * @throws IOException as {@link HttpClient#send} would
     */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<T>> call = http.sendAsync(request, body);
        try {
            return call.get(total.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            HttpTimeoutException timedOut = new HttpTimeoutException("no complete answer within " + total.toMillis()
                    + " ms");
            timedOut.initCause(e);
            throw timedOut;
        } catch (InterruptedException e) {
            call.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(cause == null ? e : cause);
        }
    }
}
