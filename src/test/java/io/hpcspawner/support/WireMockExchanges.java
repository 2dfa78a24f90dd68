package io.hpcspawner.support;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.Response;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.HttpHeaders;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.URI;
import java.util.Collection;
import java.util.List;

/**
 * A WireMock exchange as swagger-request-validator sees it: the request the code under test sent
 * (method, path, query, headers, body) and the answer the stand-in gave (status, headers, body).
 * Shared by the FirecREST and slurmrestd contract checks.
 */
public final class WireMockExchanges {

    private WireMockExchanges() {
    }

    /** The request as sent. */
    public static Request request(LoggedRequest logged) {
        return request(logged, List.of());
    }

    /** The request without the query parameters named in {@code without}. */
    public static Request request(LoggedRequest logged, Collection<String> without) {
        SimpleRequest.Builder b = new SimpleRequest.Builder(logged.getMethod().getName(),
                URI.create(logged.getUrl()).getPath());
        logged.getQueryParams().forEach((name, param) -> {
            if (!without.contains(name)) {
                b.withQueryParam(name, param.values());
            }
        });
        headers(logged.getHeaders()).forEach(h -> b.withHeader(h.key(), h.values()));
        String body = logged.getBodyAsString();
        if (body != null && !body.isEmpty()) {
            b.withBody(body);
        }
        return b.build();
    }

    /** The stand-in's answer. */
    public static Response response(ServeEvent event) {
        SimpleResponse.Builder b = SimpleResponse.Builder.status(event.getResponse().getStatus());
        headers(event.getResponse().getHeaders()).forEach(h -> b.withHeader(h.key(), h.values()));
        String body = event.getResponse().getBodyAsString();
        if (body != null && !body.isEmpty()) {
            b.withBody(body);
        }
        return b.build();
    }

    private static Collection<HttpHeader> headers(HttpHeaders headers) {
        return headers == null ? List.of() : headers.all();
    }
}
