package io.hpcspawner.store.kubernetes;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.store.RecordJson;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The custom resource a server record is kept as ({@code ServerRecord.hpcspawner.io/v1}, the CRD in
 * {@code chart/crds/serverrecords.hpcspawner.io.yaml}): the whole record in {@code spec}, named by a
 * hash of its key, labelled with its user, system and state for {@code kubectl get -l}.
 */
final class ServerRecordObjects {

    static final String GROUP = "hpcspawner.io";
    static final String VERSION = "v1";
    static final String KIND = "ServerRecord";
    static final String PLURAL = "serverrecords";
    static final String USER_LABEL = GROUP + "/user";
    static final String SYSTEM_LABEL = GROUP + "/system";
    static final String STATE_LABEL = GROUP + "/state";

    static final ResourceDefinitionContext CONTEXT = new ResourceDefinitionContext.Builder()
            .withGroup(GROUP).withVersion(VERSION).withKind(KIND).withPlural(PLURAL).withNamespaced(true).build();

    private static final ObjectMapper JSON = RecordJson.withoutNulls();
    private static final TypeReference<Map<String, Object>> FIELDS = new TypeReference<>() {
    };

    private ServerRecordObjects() {
    }

    /** The object's name: the same for every start of a server, different for every other server. */
    static String nameOf(ServerKey key) {
        return ObjectNames.hashed("server-", key.user(), key.server());
    }

    /** The object holding {@code record}, without a resourceVersion (the writer sets the one it expects). */
    static GenericKubernetesResource toObject(ServerRecord record, String namespace) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(ObjectNames.MANAGED_BY, ObjectNames.MANAGER);
        labels.put(USER_LABEL, ObjectNames.labelValue(record.user()));
        if (record.system() != null) {
            labels.put(SYSTEM_LABEL, ObjectNames.labelValue(record.system()));
        }
        if (record.state() != null) {
            labels.put(STATE_LABEL, record.state().wireName());
        }
        GenericKubernetesResource object = new GenericKubernetesResource();
        object.setApiVersion(GROUP + "/" + VERSION);
        object.setKind(KIND);
        object.setMetadata(new ObjectMetaBuilder().withName(nameOf(record.key())).withNamespace(namespace)
                .withLabels(labels).build());
        object.setAdditionalProperty("spec", JSON.convertValue(record, FIELDS));
        return object;
    }

    /**
     * The record an object holds.
     *
     * @throws IllegalArgumentException when its spec is not a record (edited by hand)
     */
    static ServerRecord toRecord(GenericKubernetesResource object) {
        Object spec = object.getAdditionalProperties().get("spec");
        if (!(spec instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("server record " + object.getMetadata().getName() + " has no spec");
        }
        return JSON.convertValue(spec, ServerRecord.class);
    }

    /** The spec field {@code field} as text, null when absent: what the informer's indexes read. */
    static String specField(GenericKubernetesResource object, String field) {
        Object spec = object.getAdditionalProperties().get("spec");
        return spec instanceof Map<?, ?> m && m.get(field) != null ? m.get(field).toString() : null;
    }
}
