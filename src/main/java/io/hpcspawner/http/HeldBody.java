package io.hpcspawner.http;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An answer's body kept in the buffers it arrived in and read as one stream: a large body (a
 * cluster's whole job listing) is held once, where a byte array or a string would copy it whole
 * a second time. Used with {@link BoundedHttp}, the body has arrived whole within the call's time
 * bound before it is read.
 */
public final class HeldBody {

    private final List<ByteBuffer> buffers;

    private HeldBody(List<ByteBuffer> buffers) {
        this.buffers = buffers;
    }

    /** The handler that keeps an answer's body as it arrives. */
    public static HttpResponse.BodyHandler<HeldBody> handler() {
        return info -> new Collector();
    }

    /** True when the body has no bytes. */
    public boolean isEmpty() {
        return buffers.stream().noneMatch(ByteBuffer::hasRemaining);
    }

    /** The body from its first byte; each call starts again at the beginning. */
    public InputStream stream() {
        List<ByteBuffer> views = new ArrayList<>(buffers.size());
        buffers.forEach(b -> views.add(b.asReadOnlyBuffer()));
        return new InputStream() {
            private int current;

            private ByteBuffer next() {
                while (current < views.size() && !views.get(current).hasRemaining()) {
                    current++;
                }
                return current < views.size() ? views.get(current) : null;
            }

            @Override
            public int read() {
                ByteBuffer b = next();
                return b == null ? -1 : b.get() & 0xff;
            }

            @Override
            public int read(byte[] into, int offset, int length) {
                if (length == 0) {
                    return 0;
                }
                ByteBuffer b = next();
                if (b == null) {
                    return -1;
                }
                int n = Math.min(length, b.remaining());
                b.get(into, offset, n);
                return n;
            }
        };
    }

    /** Collects the buffers; the answer is complete when the body has arrived whole. */
    private static final class Collector implements HttpResponse.BodySubscriber<HeldBody> {
        private final CompletableFuture<HeldBody> body = new CompletableFuture<>();
        private final List<ByteBuffer> buffers = new ArrayList<>();

        @Override
        public CompletionStage<HeldBody> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            buffers.addAll(items);
        }

        @Override
        public void onError(Throwable failure) {
            buffers.clear();
            body.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            body.complete(new HeldBody(buffers));
        }
    }
}
