package io.hpcspawner.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test resources (OpenAPI documents, recorded answers) read from the test class path. */
public final class TestResources {

    private TestResources() {
    }

    /** The resource at the absolute class-path {@code resource} as UTF-8 text; fails if there is none. */
    public static String read(String resource) {
        try (InputStream in = TestResources.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
