package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerRecords;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.store.ServerStoreContract;
import io.hpcspawner.store.kubernetes.KubernetesServerStore;
import io.hpcspawner.store.kubernetes.MockApiServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chart's ServerRecord CRD (chart/crds) takes every object the Kubernetes store writes, and
 * would refuse a field it does not declare: a field added to the record without the CRD would be
 * pruned by the API server, i.e. lost at the next read.
 */
class ServerRecordCrdTest {

    private static final JsonSchema SCHEMA = CrdSchemas.served(MockApiServer.CRD).get("hpcspawner.io/v1 ServerRecord");

    /** What the store wrote for each record, as the API server holds it. */
    private static List<JsonNode> written(List<ServerRecord> records) {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> objects = new ArrayList<>();
        try (MockApiServer api = new MockApiServer()) {
            KubernetesServerStore store = api.store();
            records.forEach(store::save);
            ResourceDefinitionContext context = new ResourceDefinitionContext.Builder().withGroup("hpcspawner.io")
                    .withVersion("v1").withKind("ServerRecord").withPlural("serverrecords").withNamespaced(true).build();
            for (GenericKubernetesResource o : api.client().genericKubernetesResources(context)
                    .inNamespace(MockApiServer.NAMESPACE).list().getItems()) {
                objects.add(json.valueToTree(o));
            }
        }
        assertThat(objects).hasSize(records.size());
        return objects;
    }

    @Test
    void everyRecordTheStoreWritesIsValid() {
        List<ServerRecord> records = List.of(
                ServerStoreContract.everyFieldSet(new ServerKey("alice@example.org", "gpu")),
                ServerRecords.submitting(new ServerKey("bob", "")),
                ServerRecords.stoppingWithoutJob(new ServerKey("carol", "x"), Instant.now()),
                ServerRecords.ended(new ServerKey("dave", ""), ServerState.STOPPED, Instant.now()));
        for (JsonNode object : written(records)) {
            assertThat(CrdSchemas.validate(SCHEMA, object)).as(object.toString()).isEmpty();
        }
    }

    @Test
    void aFieldTheCrdDoesNotDeclareIsNamed() {
        JsonNode object = written(List.of(ServerStoreContract.everyFieldSet(new ServerKey("erin", "")))).get(0);
        ((ObjectNode) object.path("spec")).put("walltime", "01:00:00");
        ((ObjectNode) object.path("spec").path("events").get(0)).put("colour", "red");
        assertThat(CrdSchemas.validate(SCHEMA, object)).hasSize(2).anySatisfy(m -> assertThat(m).contains("walltime"))
                .anySatisfy(m -> assertThat(m).contains("colour"));
    }

    @Test
    void thePrinterColumnsShowFieldsTheRecordHas() throws Exception {
        JsonNode crd = new YAMLMapper().readTree(MockApiServer.CRD.toFile());
        JsonNode version = crd.path("spec").path("versions").get(0);
        JsonNode spec = version.path("schema").path("openAPIV3Schema").path("properties").path("spec").path("properties");
        List<String> columns = new ArrayList<>();
        for (JsonNode c : version.path("additionalPrinterColumns")) {
            columns.add(c.path("name").asText());
            String path = c.path("jsonPath").asText();
            if (path.startsWith(".spec.")) {
                assertThat(spec.has(path.substring(".spec.".length()))).as(path).isTrue();
            }
        }
        assertThat(columns).contains("User", "Server", "State", "Job", "Age");
    }
}
