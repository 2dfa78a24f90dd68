package io.hpcspawner.api;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A bare HTTP/1.1 client for the fuzzer: it sends exactly the bytes it is given (a request
 * target with raw {@code ..} or non-ASCII, two {@code Authorization} headers, header values
 * that are not ASCII), which well-behaved clients refuse to send or quietly repair. One request
 * per connection; an event stream is read up to its headers only.
 */
final class RawHttp {

    /** One header line as sent; the value is written as UTF-8 bytes. */
    record Header(String name, String value) {
    }

    /** What came back, or {@code status == -1} with {@code failure} when nothing did. */
    record Answer(int status, Map<String, String> headers, String body, long millis, String failure) {

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Bodies are sent chunked instead of with a Content-Length when a header says so. */
    private static final String CHUNKED = "chunked";

    private final String host;
    private final int port;
    private final Duration timeout;

    RawHttp(String host, int port, Duration timeout) {
        this.host = host;
        this.port = port;
        this.timeout = timeout;
    }

    Answer send(String method, String target, List<Header> headers, byte[] body) {
        long start = System.nanoTime();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            boolean chunked = headers.stream().anyMatch(h -> h.name().equalsIgnoreCase("Transfer-Encoding")
                    && h.value().equalsIgnoreCase(CHUNKED));
            boolean hasLength = headers.stream().anyMatch(h -> h.name().equalsIgnoreCase("Content-Length"));
            StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(':').append(port).append("\r\n")
                    .append("Connection: close\r\n");
            for (Header h : headers) {
                head.append(h.name()).append(": ").append(h.value()).append("\r\n");
            }
            if (body != null && !chunked && !hasLength) {
                head.append("Content-Length: ").append(body.length).append("\r\n");
            }
            head.append("\r\n");
            String writeFailure = write(socket.getOutputStream(), head.toString().getBytes(StandardCharsets.UTF_8),
                    body, chunked);
            Answer answer = read(socket.getInputStream(), method, start);
            if (answer.status() == -1 && writeFailure != null) {
                return new Answer(-1, Map.of(), "", answer.millis(), writeFailure + "; then " + answer.failure());
            }
            return answer;
        } catch (IOException e) {
            return new Answer(-1, Map.of(), "", millisSince(start), e.toString());
        }
    }

    /** Writes the request; a server that answers early and closes may cut a large body short. */
    private static String write(OutputStream out, byte[] head, byte[] body, boolean chunked) {
        try {
            out.write(head);
            if (body != null && chunked) {
                for (int at = 0; at < body.length; at += 8192) {
                    int n = Math.min(8192, body.length - at);
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(body, at, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else if (body != null) {
                out.write(body);
            }
            out.flush();
            return null;
        } catch (IOException e) {
            return "writing the request failed: " + e;
        }
    }

    private static Answer read(InputStream in, String method, long start) {
        try {
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                int colon = l.indexOf(':');
                headers.merge(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            String type = headers.getOrDefault("content-type", "");
            if (type.startsWith("text/event-stream") || method.equals("HEAD") || status == 204 || status == 304) {
                return new Answer(status, headers, "", millisSince(start), null);
            }
            byte[] body;
            if (CHUNKED.equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = chunks(in);
            } else if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            } else {
                body = in.readAllBytes();
            }
            return new Answer(status, headers, new String(body, StandardCharsets.UTF_8), millisSince(start), null);
        } catch (SocketTimeoutException e) {
            return new Answer(-1, Map.of(), "", millisSince(start), "no answer in time (" + e.getMessage() + ")");
        } catch (IOException | RuntimeException e) {
            return new Answer(-1, Map.of(), "", millisSince(start), "unreadable answer: " + e);
        }
    }

    private static byte[] chunks(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
            out.write(in.readNBytes(size));
            line(in);
        }
        return out.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream l = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b == -1) {
                throw new EOFException("the connection closed after " + l.size() + " bytes of a line");
            }
            if (b != '\r') {
                l.write(b);
            }
        }
        return l.toString(StandardCharsets.ISO_8859_1);
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    static List<Header> headers(String... nameValue) {
        List<Header> out = new ArrayList<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            out.add(new Header(nameValue[i], nameValue[i + 1]));
        }
        return out;
    }
}
