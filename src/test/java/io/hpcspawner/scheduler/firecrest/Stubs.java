package io.hpcspawner.scheduler.firecrest;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.junit.Stubbing;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.util.UUID;
import java.util.function.Supplier;

/** WireMock answers shared by the FirecREST, Keycloak and Vault doubles of the tests. */
final class Stubs {

    private Stubs() {
    }

    /** A JSON answer. */
    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** Answers the matching requests with {@code responses} in turn; the last one then repeats. */
    static void inTurn(Stubbing wm, Supplier<MappingBuilder> request, ResponseDefinitionBuilder... responses) {
        String scenario = UUID.randomUUID().toString();
        for (int i = 0; i < responses.length; i++) {
            ScenarioMappingBuilder m = request.get().inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i);
            if (i < responses.length - 1) {
                m = m.willSetStateTo("answer " + (i + 1));
            }
            wm.stubFor(m.willReturn(responses[i]));
        }
    }
}
