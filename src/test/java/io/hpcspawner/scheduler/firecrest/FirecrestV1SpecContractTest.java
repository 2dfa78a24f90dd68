package io.hpcspawner.scheduler.firecrest;

import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.Response;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The v1 contract check itself: the copy of the spec is the published file, every standing
 * difference in {@link V1Differences} is real (the raw validator reports it for the shape the
 * server sends), and off-spec requests are caught, multipart bodies included.
 */
class FirecrestV1SpecContractTest {

    static final SpecValidator V1 = SpecValidator.V1;

    static SimpleRequest.Builder call(String method, String path) {
        return new SimpleRequest.Builder(method, path).withHeader("Authorization", "Bearer t")
                .withHeader("X-Machine-Name", "daint");
    }

    static Response json(int status, String body) {
        return SimpleResponse.Builder.status(status).withContentType("application/json").withBody(body).build();
    }

    static Request upload(String... fields) {
        String boundary = "b0undary";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < fields.length; i += 2) {
            sb.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"").append(fields[i])
                    .append('"').append(fields[i].equals("file") ? "; filename=\"job.sh\"" : "").append("\r\n\r\n")
                    .append(fields[i + 1]).append("\r\n");
        }
        sb.append("--").append(boundary).append("--\r\n");
        return call("POST", "/compute/jobs/upload").withContentType("multipart/form-data; boundary=" + boundary)
                .withBody(sb.toString()).build();
    }

    @Test
    void theSpecIsThePublishedFileUnchanged() throws Exception {
        try (InputStream in = getClass().getResourceAsStream(SpecValidator.V1_SPEC)) {
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
            assertThat(sha).isEqualTo("a77bd44945f17f2b540e02f59178a80a8bf7041592b5594db01603422c1bd0c6");
        }
    }

    @Test
    void eachStandingDifferenceIsReal() {
        assertThat(V1.errors(call("GET", "/tasks").withQueryParam("tasks", "t1").build(),
                json(200, V1Bodies.tasks(V1Bodies.task("t1", "100", "")))))
                .contains("validation.response.body.schema.type /");
        assertThat(V1.errors(call("DELETE", "/compute/jobs/1").build(), json(200, V1Bodies.created("c1"))))
                .containsExactly("validation.response.status.unknown ");
        assertThat(V1.errors(call("GET", "/compute/jobs").build(), json(404, V1Bodies.error("d", "e"))))
                .containsExactly("validation.response.status.unknown ");
        assertThat(V1.errors(call("GET", "/compute/jobs").build(), json(400, V1Bodies.error("d", "e"))))
                .containsExactly("validation.response.body.schema.additionalProperties /");
        assertThat(V1.errors(call("GET", "/compute/jobs").build(), SimpleResponse.Builder.status(400)
                .withContentType("application/json").withBody("{\"error\":\"e\"}")
                .withHeader("X-Machine-Not-Available", "Machine is not available").build()))
                .containsExactly("validation.response.header.schema.type /");
        assertThat(V1.differences()).hasSize(5);
    }

    @Test
    void theFixturesFollowTheSpec() {
        assertThat(V1.errors(call("GET", "/compute/jobs").withQueryParam("jobs", "1,2").withQueryParam("userJobs", "false")
                .build(), json(200, V1Bodies.created("q1")))).isEmpty();
        assertThat(V1.errors(call("GET", "/utilities/tail").withQueryParam("targetPath", "/u/o.log")
                .withQueryParam("lines", "5").build(), json(200, V1Bodies.output("Success to tail file.", "x\n"))))
                .isEmpty();
        assertThat(V1.errors(call("GET", "/utilities/whoami").withQueryParam("groups", "true").build(), json(200,
                "{\"description\":\"User information\",\"output\":{\"user\":{\"name\":\"a\",\"id\":\"1\"},"
                        + "\"group\":{\"name\":\"g\",\"id\":\"2\"},\"groups\":[]}}"))).isEmpty();
        assertThat(V1.errors(upload("file", "#!/bin/bash\n", "account", "csstaff", "env", "{\"A\":\"1\"}"),
                json(201, V1Bodies.created("t1")))).isEmpty();
    }

    @Test
    void offSpecRequestsAreCaught() {
        assertThat(V1.errors(SimpleRequest.Builder.get("/compute/jobs").withHeader("Authorization", "Bearer t").build(),
                json(200, V1Bodies.created("q1")))).containsExactly("validation.request.parameter.header.missing ");
        assertThat(V1.errors(call("GET", "/compute/jobs").withQueryParam("name", "hpcspawner-").build(),
                json(200, V1Bodies.created("q1")))).containsExactly("validation.request.parameter.query.unexpected ");
        assertThat(V1.errors(call("GET", "/utilities/tail").withQueryParam("targetPath", "/u/o.log")
                .withQueryParam("skip_beginning", "maybe").build(), json(200, V1Bodies.output("d", ""))))
                .containsExactly("validation.request.parameter.schema.invalidJson ");
    }

    @Test
    void multipartBodiesAreChecked() {
        // The library skips multipart bodies; SpecValidator checks them against the declared schema.
        assertThat(V1.errors(upload("account", "csstaff"), json(201, V1Bodies.created("t1"))))
                .containsExactly("validation.request.body.schema.required /");
        assertThat(V1.errors(upload("file", "x", "jobname", "n"), json(201, V1Bodies.created("t1"))))
                .containsExactly("validation.request.body.schema.additionalProperties /");
        assertThat(V1.errors(upload("file", "x", "env", "A=1,B=2"), json(201, V1Bodies.created("t1"))))
                .containsExactly("validation.request.body.multipart ");
        assertThat(V1.errors(upload("file", "x", "account", "a", "account", "b"), json(201, V1Bodies.created("t1"))))
                .containsExactly("validation.request.body.multipart ");
    }

    @Test
    void offSpecResponsesAreCaught() {
        assertThat(V1.errors(call("GET", "/utilities/head").withQueryParam("targetPath", "/u/o.log").build(),
                json(200, "{\"description\":\"d\",\"output\":{\"content\":\"x\"}}")))
                .containsExactly("validation.response.body.schema.type /output");
        assertThat(V1.errors(call("GET", "/compute/jobs").build(), json(201, V1Bodies.created("q1"))))
                .containsExactly("validation.response.status.unknown ");
    }
}
