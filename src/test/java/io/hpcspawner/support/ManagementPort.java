package io.hpcspawner.support;

import java.net.URL;

/**
 * The base URI of the management interface (metrics, health, OpenAPI) for REST Assured, from a
 * {@code @TestHTTPResource(value = "/", management = true) URL} field; the port is random in tests
 * ({@code quarkus.management.test-port=0}).
 */
public final class ManagementPort {

    private ManagementPort() {
    }

    /** {@code http://host:port}, without the {@code /q} root Quarkus adds to the injected URL. */
    public static String url(URL injected) {
        return injected.getProtocol() + "://" + injected.getHost() + ":" + injected.getPort();
    }
}
