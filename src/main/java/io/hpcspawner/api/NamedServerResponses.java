package io.hpcspawner.api;

import java.util.Map;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;

/**
 * Documents each named server's route with the responses of the matching default server's route
 * ({@code /server/events} gives {@code /servers/{server}/events} its responses): a named server
 * answers as the default one does, so {@link ServerResource} declares the responses once, on the
 * default server's routes. Registered with {@code mp.openapi.filter}; it runs when the document
 * is built, so the stored and the served document both have it.
 */
public class NamedServerResponses implements OASFilter {

    static final String DEFAULT_SERVER = "/api/v1/users/{user}/server";
    static final String NAMED_SERVER = "/api/v1/users/{user}/servers/{server}";

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        Map<String, PathItem> paths = openAPI.getPaths().getPathItems();
        paths.forEach((path, defaultRoute) -> {
            if (path.equals(DEFAULT_SERVER) || path.startsWith(DEFAULT_SERVER + "/")) {
                PathItem namedRoute = paths.get(NAMED_SERVER + path.substring(DEFAULT_SERVER.length()));
                if (namedRoute != null) {
                    copyResponses(defaultRoute, namedRoute);
                }
            }
        });
    }

    private static void copyResponses(PathItem from, PathItem to) {
        Map<PathItem.HttpMethod, Operation> named = to.getOperations();
        from.getOperations().forEach((method, operation) -> {
            Operation namedOperation = named.get(method);
            if (namedOperation != null) {
                namedOperation.setResponses(operation.getResponses());
            }
        });
    }
}
