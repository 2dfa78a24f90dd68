package io.hpcspawner.api;

import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Holds a create body to 256 KiB however it is sent: a {@code Content-Length} is checked before
 * anything is read, a chunked body is counted while it is read. The HTTP layer's own limit
 * (1 MiB, {@code quarkus.http.limits.max-body-size}) is for every route.
 */
@Provider
public class CreateBodyLimit implements ReaderInterceptor {

    static final int MAX_CREATE_BODY = 256 * 1024;

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        if (context.getType() == CreateServerBody.class) {
            String length = context.getHeaders().getFirst("Content-Length");
            if (length != null && length.trim().matches("\\d{1,18}") && Long.parseLong(length.trim()) > MAX_CREATE_BODY) {
                throw tooLarge();
            }
            context.setInputStream(new Counted(context.getInputStream()));
        }
        return context.proceed();
    }

    static ApiException tooLarge() {
        return ApiException.badRequest("payload_too_large", "the body is larger than 256 KiB", null);
    }

    /** Fails the read once more than {@link #MAX_CREATE_BODY} bytes have come. */
    private static final class Counted extends FilterInputStream {
        private long count;

        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        private void add(int n) {
            count += n;
            if (count > MAX_CREATE_BODY) {
                throw tooLarge();
            }
        }
    }
}
