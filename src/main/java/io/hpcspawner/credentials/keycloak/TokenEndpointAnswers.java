package io.hpcspawner.credentials.keycloak;

import io.quarkus.arc.Unremovable;
import io.quarkus.oidc.common.OidcEndpoint;
import io.quarkus.oidc.common.OidcResponseFilter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps the HTTP status of the token endpoint's refusals for the service's own OIDC clients
 * ({@link KeycloakClient}): the OIDC client reports a refusal with the body alone, but whether a
 * failed grant is transient (5xx, 429) or needs a person (4xx) depends on the status. A refusal
 * fails the grant with a {@link RefusedGrant}; successful answers pass unchanged.
 */
@ApplicationScoped
@Unremovable
@OidcEndpoint(OidcEndpoint.Type.TOKEN)
public class TokenEndpointAnswers implements OidcResponseFilter {

    private static final int MAX_DESCRIPTION = 200;
    /** The request property where the OIDC client puts its id (quarkus-oidc-client's OidcClientImpl). */
    private static final String CLIENT_ID_PROPERTY = "client-id";

    @Override
    public Uni<Void> filter(OidcResponseFilterContext answer) {
        Object id = answer.requestProperties() == null ? null : answer.requestProperties().get(CLIENT_ID_PROPERTY);
        if (answer.statusCode() == 200 || !(id instanceof String s) || !s.startsWith(KeycloakClient.ID_PREFIX)) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().failure(refusal(answer.statusCode(), answer.responseBody()));
    }

    static RefusedGrant refusal(int status, Buffer body) {
        JsonObject json = null;
        if (body != null && body.length() > 0) {
            try {
                json = body.toJsonObject();
            } catch (DecodeException | ClassCastException e) {
                json = null; // never the parser's message: it quotes the body
            }
        }
        if (json == null) {
            return new RefusedGrant(status, "", "", false);
        }
        return new RefusedGrant(status, text(json.getValue("error")), shorten(text(json.getValue("error_description"))), true);
    }

    private static String text(Object value) {
        return value instanceof String s ? s : "";
    }

    private static String shorten(String s) {
        return s.length() <= MAX_DESCRIPTION ? s : s.substring(0, MAX_DESCRIPTION) + "...";
    }
}
