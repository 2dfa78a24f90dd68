package io.hpcspawner.api;

import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.service.ServerLogFields;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Gives the log lines of a request about one server (a route with a {@code {user}} path
 * parameter, and {@code {server}} for a named server) that server's user and name as log fields
 * ({@link ServerLogFields}), from the request's start to its response. A name the rules refuse is
 * left out: the request fails with a 400 anyway.
 */
public class RequestLogFields {

    private static final String PROPERTY = RequestLogFields.class.getName();

    @ServerRequestFilter
    public void set(ContainerRequestContext request, UriInfo uri) {
        String user = uri.getPathParameters().getFirst("user");
        if (user == null) {
            return;
        }
        String server = uri.getPathParameters().getFirst("server");
        try {
            request.setProperty(PROPERTY, ServerLogFields.of(new ServerKey(user, server == null ? "" : server)));
        } catch (InvalidRequestException e) {
            // not a valid name: no fields
        }
    }

    @ServerResponseFilter
    public void clear(ContainerRequestContext request) {
        if (request.getProperty(PROPERTY) instanceof ServerLogFields fields) {
            fields.close();
        }
    }
}
