package io.hpcspawner.scheduler.firecrest;

import static io.hpcspawner.scheduler.firecrest.Stubs.json;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.error;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.fileContent;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.job;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.jobs;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.validationError;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.withNodes;
import static io.hpcspawner.scheduler.firecrest.JobModelBodies.withStatus;
import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.Response;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The contract check itself: the copy of the spec is the published file, the in-memory 3.0 view
 * keeps the checks that matter here (an off-spec exchange is caught), and the test fixtures pass.
 */
class FirecrestSpecContractTest {

    static Request get(String path, String... query) {
        SimpleRequest.Builder b = SimpleRequest.Builder.get(path).withHeader("Authorization", "Bearer t");
        for (int i = 0; i < query.length; i += 2) {
            b.withQueryParam(query[i], query[i + 1]);
        }
        return b.build();
    }

    static Request submit(String body) {
        return SimpleRequest.Builder.post("/compute/daint/jobs").withHeader("Authorization", "Bearer t")
                .withContentType("application/json").withBody(body).build();
    }

    static Response json(int status, String body) {
        return SimpleResponse.Builder.status(status).withContentType("application/json").withBody(body).build();
    }

    static List<String> errors(Request request, Response response) {
        return SpecValidator.V2.validate(request, Optional.of(response)).getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(m -> m.getKey() + " " + SpecValidator.pointer(m)).toList();
    }

    @Test
    void theSpecIsThePublishedFileUnchanged() throws Exception {
        try (InputStream in = getClass().getResourceAsStream(SpecValidator.V2_SPEC)) {
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
            assertThat(sha).isEqualTo("19aad514d85f9f9d8dfc25eb0d6d92ec31b75996ad0d088b7b37cb445bc3a545");
        }
    }

    @Test
    void theFixturesFollowTheSpec() {
        ObjectNode running = withNodes(job("1", "hpcspawner-a", "alice", "RUNNING"), "nid[001-002]", 2);
        ObjectNode pending = withNodes(withStatus(job("2", "b", "bob", "PENDING"), "PENDING", "Priority", null, null),
                "None assigned", 0);
        ObjectNode userless = job("3", "c", "carol", "COMPLETED");
        userless.putNull("user");
        userless.putNull("tasks");
        assertThat(errors(get("/compute/daint/jobs", "allusers", "true"), json(200, jobs(running, pending, userless))))
                .isEmpty();
        assertThat(errors(get("/compute/daint/jobs/1"), json(404, error("Job not found.")))).isEmpty();
        assertThat(errors(submit("{\"job\":{\"workingDirectory\":\"/u\",\"script\":\"#!/bin/bash\",\"env\":{}}}"),
                json(400, validationError("m", "body", "job", "Field required")))).isEmpty();
        assertThat(errors(get("/filesystem/daint/ops/tail", "path", "/u/o.log", "lines", "5"), json(200,
                fileContent("x\n", -5, -1)))).isEmpty();
        assertThat(errors(get("/filesystem/daint/ops/tail", "path", "/u/o.log", "lines", "5"),
                json(200, "{\"output\":null}"))).isEmpty();
    }

    @Test
    void unknownJobFieldsAndAMissingWorkingDirectoryAreCaught() {
        assertThat(errors(submit("{\"job\":{\"workingDirectory\":\"/u\",\"script\":\"s\",\"cpus\":4}}"),
                json(201, "{\"jobId\":\"1\"}"))).containsExactly("validation.request.body.schema.additionalProperties /job");
        assertThat(errors(submit("{\"job\":{\"script\":\"s\"}}"), json(201, "{\"jobId\":\"1\"}")))
                .containsExactly("validation.request.body.schema.required /job");
    }

    @Test
    void offSpecResponsesAreCaught() {
        ObjectNode broken = job("1", "a", "alice", "RUNNING");
        broken.remove("cluster");
        broken.put("allocationNodes", "two");
        assertThat(errors(get("/compute/daint/jobs"), json(200, jobs(broken))))
                .contains("validation.response.body.schema.required /jobs/0", "validation.response.body.schema.type /jobs/0/allocationNodes");
        assertThat(errors(get("/compute/daint/jobs"), json(200, "{\"jobs\":[{\"jobId\":1}]}")))
                .contains("validation.response.body.schema.type /jobs/0/jobId");
        assertThat(errors(get("/filesystem/daint/ops/tail", "path", "/u/o.log", "lines", "5"),
                json(200, "{\"output\":{\"content\":\"x\",\"contentType\":\"words\",\"startPosition\":0,\"endPosition\":1}}")))
                .containsExactly("validation.response.body.schema.enum /output/contentType");
        assertThat(errors(get("/compute/daint/jobs"), json(503, "{\"errorType\":\"oops\"}")))
                .contains("validation.response.body.schema.required /", "validation.response.body.schema.enum /errorType");
    }

    @Test
    void offSpecRequestsAreCaught() {
        assertThat(errors(get("/compute/daint/jobs", "allusers", "true", "name", "hpcspawner-"), json(200, "{\"jobs\":[]}")))
                .containsExactly("validation.request.parameter.query.unexpected ");
        assertThat(errors(get("/filesystem/daint/ops/tail", "path", "/u/o.log", "lines", "many"),
                json(200, fileContent("", 0, 0)))).containsExactly("validation.request.parameter.schema.type /");
        assertThat(errors(SimpleRequest.Builder.delete("/compute/daint/jobs/12_3").withHeader("Authorization", "Bearer t")
                .build(), SimpleResponse.Builder.status(204).build()))
                .containsExactly("validation.request.parameter.schema.pattern /");
    }
}
