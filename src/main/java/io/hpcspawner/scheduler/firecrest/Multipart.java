package io.hpcspawner.scheduler.firecrest;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A {@code multipart/form-data} body (RFC 7578) of text fields and files, built in memory. */
final class Multipart {

    private final String boundary = "hpcspawner-" + UUID.randomUUID();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Multipart field(String name, String value) {
        part("Content-Disposition: form-data; name=\"" + name + "\"\r\n"
                + "Content-Type: text/plain; charset=UTF-8", value);
        return this;
    }

    Multipart file(String name, String fileName, String content) {
        part("Content-Disposition: form-data; name=\"" + name + "\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: application/octet-stream", content);
        return this;
    }

    FirecrestClient.Body body() {
        write("--" + boundary + "--\r\n");
        return new FirecrestClient.Body("multipart/form-data; boundary=" + boundary, out.toByteArray());
    }

    private void part(String headers, String content) {
        if (content.contains("--" + boundary)) {
            throw new IllegalArgumentException("multipart content contains the boundary");
        }
        write("--" + boundary + "\r\n" + headers + "\r\n\r\n");
        write(content);
        write("\r\n");
    }

    private void write(String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
