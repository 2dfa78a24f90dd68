package io.hpcspawner.store.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.hpcspawner.spawn.model.ServerKey;
import io.hpcspawner.spawn.model.ServerRecord;
import io.hpcspawner.spawn.model.ServerState;
import io.hpcspawner.spawn.model.StaleRecordException;
import io.hpcspawner.spawn.port.ServerStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The store for several replicas: one {@code ServerRecord} custom object per server in one
 * namespace ({@link ServerRecordObjects}). Reads come from an informer's cache, indexed by server
 * id and by user, so they cost no request; every write goes to the API server and returns with its
 * answer, which this store's reads show at once (before the informer's watch brings it back).
 *
 * <p>Every write is conditional on the resourceVersion the written copy was read at (each copy
 * handed out remembers it). A record never read, a new start, is checked against the version of
 * its server's record last read here (the one the caller decided on), or created when none was:
 * two replicas starting one server at once keep one start. A write that lost a race writes
 * nothing and raises {@link StaleRecordException}.
 */
public final class KubernetesServerStore implements ServerStore, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(KubernetesServerStore.class);
    private static final String BY_ID = "serverId";
    private static final String BY_USER = "user";
    private static final String BY_SYSTEM_STATE = "systemState";

    private final KubernetesClient client;
    private final String namespace;
    private final SharedIndexInformer<GenericKubernetesResource> informer;
    /** This store's writes the informer has not brought back yet, by object name. */
    private final Map<String, Written> ownWrites = new ConcurrentHashMap<>();
    /** The resourceVersion each copy handed out was read at (weak: a dropped copy is forgotten). */
    private final Map<ServerRecord, String> readAt = Collections.synchronizedMap(new WeakHashMap<>());
    /** The version of each server's record last handed out or written here: what a new start replaces. */
    private final Map<String, String> lastRead = new ConcurrentHashMap<>();
    /** Each object's record as last read, with its version: read again only when the version changes. */
    private final Map<String, Parsed> parsed = new ConcurrentHashMap<>();
    /** Who hears of the records other replicas write ({@link #onWrittenElsewhere}). */
    private final List<Consumer<ServerRecord>> elsewhere = new CopyOnWriteArrayList<>();
    /** Objects already reported as unreadable, by name and version, so each is logged once. */
    private final Set<String> reportedUnreadable = ConcurrentHashMap.newKeySet();

    private record Parsed(String version, ServerRecord record) {
    }

    /** An object as the API server answered a write, or (object null) deleted at that version. */
    private record Written(GenericKubernetesResource object, String version) {
    }

    /**
     * Starts the informer and waits for its first listing.
     *
     * @throws IllegalStateException when the namespace cannot be listed within {@code startTimeout}
     *         (the CRD is not installed, or the service account may not list server records)
     */
    public KubernetesServerStore(KubernetesClient client, String namespace, Duration startTimeout) {
        this.client = client;
        this.namespace = namespace;
        this.informer = objects().withLabel(ObjectNames.MANAGED_BY, ObjectNames.MANAGER).runnableInformer(0);
        informer.addIndexers(Map.of(
                BY_ID, o -> listOf(ServerRecordObjects.specField(o, "id")),
                BY_USER, o -> listOf(ServerRecordObjects.specField(o, "user")),
                BY_SYSTEM_STATE, o -> listOf(systemState(ServerRecordObjects.specField(o, "system"),
                        ServerRecordObjects.specField(o, "state")))));
        informer.addEventHandler(new CatchingUp());
        try {
            informer.start().toCompletableFuture().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            informer.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException("cannot list the server records (" + ServerRecordObjects.PLURAL + "."
                    + ServerRecordObjects.GROUP + ") in namespace " + namespace + ": " + cause
                    + "; is the CRD installed (the chart's crds/ directory) and may the service account list,"
                    + " watch, create, update and delete them?", cause);
        } catch (InterruptedException e) {
            informer.close();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing the server records", e);
        }
        LOG.infof("Kubernetes store: %d server records in namespace %s", informer.getStore().list().size(), namespace);
    }

    @Override
    public Optional<ServerRecord> find(ServerKey key) {
        return current(ServerRecordObjects.nameOf(key)).flatMap(this::handOut);
    }

    @Override
    public List<ServerRecord> all() {
        Set<String> names = new LinkedHashSet<>(informer.getStore().listKeys());
        names.removeIf(k -> !k.startsWith(namespace + "/"));
        Set<String> bare = new LinkedHashSet<>();
        names.forEach(k -> bare.add(k.substring(namespace.length() + 1)));
        bare.addAll(ownWrites.keySet());
        List<ServerRecord> result = new ArrayList<>();
        for (String name : bare) {
            current(name).flatMap(this::handOut).ifPresent(result::add);
        }
        return result;
    }

    @Override
    public Optional<ServerRecord> findById(String id) {
        return candidates(BY_ID, "id", id).stream().filter(r -> id.equals(r.id())).findFirst();
    }

    /** The records of {@code user}'s servers, from the informer's index (no scan of the namespace). */
    public List<ServerRecord> ofUser(String user) {
        return candidates(BY_USER, "user", user).stream().filter(r -> user.equals(r.user())).toList();
    }

    @Override
    public void save(ServerRecord record) {
        ServerKey key = record.key();
        String name = ServerRecordObjects.nameOf(key);
        String expected = readAt.get(record);
        if (expected == null) { // never read: a new start, decided on the server's record as last read here
            expected = lastRead.get(name);
        }
        GenericKubernetesResource object = ServerRecordObjects.toObject(record, namespace);
        GenericKubernetesResource answer;
        try {
            if (expected == null) {
                answer = objects().resource(object).create();
            } else {
                object.getMetadata().setResourceVersion(expected);
                answer = objects().resource(object).update();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409 || (e.getCode() == 404 && expected != null)) {
                catchUp(name, expected);
                throw new StaleRecordException(key, expected == null ? "another writer created it"
                        : "it is no longer at version " + expected + ": " + reason(e));
            }
            throw new IllegalStateException("cannot save the record of server " + key + " (object " + name
                    + " in namespace " + namespace + "): " + reason(e), e);
        }
        String version = answer.getMetadata().getResourceVersion();
        ownWrites.put(name, new Written(answer, version));
        readAt.put(record, version);
        lastRead.put(name, version);
    }

    /**
     * After a lost race: the winner's object, read from the API server, so that the caller's next
     * read here shows it (the informer's watch may bring it only later).
     */
    private void catchUp(String name, String lost) {
        try {
            GenericKubernetesResource latest = objects().withName(name).get();
            if (latest != null) {
                ownWrites.merge(name, new Written(latest, latest.getMetadata().getResourceVersion()),
                        (own, fresh) -> own.object() != null && !newer(fresh.object(), own.version()) ? own : fresh);
            } else if (lost != null) {
                ownWrites.put(name, new Written(null, lost));
            }
        } catch (KubernetesClientException e) {
            LOG.debugf("Could not re-read server record %s after a lost race: %s", name, reason(e));
        }
    }

    @Override
    public boolean delete(ServerKey key, String id) {
        String name = ServerRecordObjects.nameOf(key);
        Optional<GenericKubernetesResource> current = current(name);
        if (current.isEmpty() || !id.equals(ServerRecordObjects.specField(current.get(), "id"))) {
            return false;
        }
        String version = current.get().getMetadata().getResourceVersion();
        try {
            boolean deleted = !objects().withName(name).lockResourceVersion(version).delete().isEmpty();
            ownWrites.put(name, new Written(null, version));
            lastRead.remove(name);
            parsed.remove(name);
            return deleted;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return false; // changed since: not the record the caller decided to delete
            }
            throw new IllegalStateException("cannot delete the record of server " + key + " (object " + name
                    + " in namespace " + namespace + "): " + reason(e), e);
        }
    }

    /**
     * From the informer's index, without reading a record: the watcher asks every second whether a
     * system has servers starting or stopping. An own write the informer has not brought back yet
     * is counted by its earlier version for that moment.
     */
    @Override
    public Map<ServerState, Long> countsOf(String system) {
        Map<ServerState, Long> counts = new EnumMap<>(ServerState.class);
        for (ServerState state : ServerState.values()) {
            int n = informer.getIndexer().byIndex(BY_SYSTEM_STATE, systemState(system, state.wireName())).size();
            if (n > 0) {
                counts.put(state, (long) n);
            }
        }
        return counts;
    }

    private static String systemState(String system, String state) {
        return system == null || state == null ? null : system + "\n" + state;
    }

    @Override
    public void onWrittenElsewhere(Consumer<ServerRecord> listener) {
        elsewhere.add(listener);
    }

    /** Stops the informer. */
    @Override
    public void close() {
        informer.close();
    }

    private NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> objects() {
        return client.genericKubernetesResources(ServerRecordObjects.CONTEXT).inNamespace(namespace);
    }

    /** The newer of the informer's object and this store's own write of it; empty when deleted or never there. */
    private Optional<GenericKubernetesResource> current(String name) {
        GenericKubernetesResource cached = informer.getStore().getByKey(namespace + "/" + name);
        Written own = ownWrites.get(name);
        if (own == null || (cached != null && newer(cached, own.version()))) {
            return Optional.ofNullable(cached);
        }
        return Optional.ofNullable(own.object());
    }

    private List<ServerRecord> candidates(String index, String field, String value) {
        Set<String> names = new LinkedHashSet<>();
        informer.getIndexer().byIndex(index, value).forEach(o -> names.add(o.getMetadata().getName()));
        ownWrites.forEach((name, w) -> {
            if (w.object() != null && value.equals(ServerRecordObjects.specField(w.object(), field))) {
                names.add(name);
            }
        });
        List<ServerRecord> result = new ArrayList<>();
        names.forEach(n -> current(n).flatMap(this::handOut).ifPresent(result::add));
        return result;
    }

    /** A fresh copy of the object's record, remembered with the version it was read at. */
    private Optional<ServerRecord> handOut(GenericKubernetesResource object) {
        String version = object.getMetadata().getResourceVersion();
        try {
            String name = object.getMetadata().getName();
            Parsed known = parsed.get(name);
            if (known == null || !known.version().equals(version)) {
                known = new Parsed(version, ServerRecordObjects.toRecord(object));
                parsed.put(name, known);
            }
            ServerRecord record = known.record().copy();
            readAt.put(record, version);
            lastRead.put(object.getMetadata().getName(), version);
            return Optional.of(record);
        } catch (IllegalArgumentException e) {
            lastRead.put(object.getMetadata().getName(), version); // a new start of its server replaces it
            if (reportedUnreadable.add(object.getMetadata().getName() + "@" + version)) {
                LOG.errorf("Server record %s in namespace %s is unreadable (%s); the service goes on without it"
                        + " (a new start of its server replaces it)", object.getMetadata().getName(), namespace,
                        e.getMessage());
            }
            return Optional.empty();
        }
    }

    /**
     * Whether {@code object} is newer than {@code version}. ResourceVersions are etcd's revisions,
     * which grow with every write of the namespace; were one not a number, the own write is taken
     * as the newer until the informer reports the object again.
     */
    private static boolean newer(GenericKubernetesResource object, String version) {
        try {
            return Long.parseLong(object.getMetadata().getResourceVersion()) > Long.parseLong(version);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether {@code object} is {@code version} or later (for a non-number: any report of it). */
    private static boolean atLeast(GenericKubernetesResource object, String version) {
        try {
            return Long.parseLong(object.getMetadata().getResourceVersion()) >= Long.parseLong(version);
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static List<String> listOf(String value) {
        return value == null ? List.of() : List.of(value);
    }

    private static String reason(KubernetesClientException e) {
        return e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
    }

    /** Forgets an own write once the informer has brought back that version or a later one. */
    private final class CatchingUp implements ResourceEventHandler<GenericKubernetesResource> {

        @Override
        public void onAdd(GenericKubernetesResource object) {
            tellIfWrittenElsewhere(object);
            caughtUp(object, false);
        }

        @Override
        public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource object) {
            tellIfWrittenElsewhere(object);
            caughtUp(object, false);
        }

        /** A version this store did not write: another replica's change, for {@link #onWrittenElsewhere}. */
        private void tellIfWrittenElsewhere(GenericKubernetesResource object) {
            if (elsewhere.isEmpty()) {
                return;
            }
            Written own = ownWrites.get(object.getMetadata().getName());
            if (own != null && own.object() != null && own.version().equals(object.getMetadata().getResourceVersion())) {
                return;
            }
            handOut(object).ifPresent(record -> elsewhere.forEach(listener -> {
                try {
                    listener.accept(record);
                } catch (RuntimeException e) {
                    LOG.warnf(e, "A listener of server record %s failed", object.getMetadata().getName());
                }
            }));
        }

        @Override
        public void onDelete(GenericKubernetesResource object, boolean finalStateUnknown) {
            caughtUp(object, true);
        }

        private void caughtUp(GenericKubernetesResource object, boolean deleted) {
            if (deleted) {
                parsed.remove(object.getMetadata().getName());
            }
            ownWrites.computeIfPresent(object.getMetadata().getName(), (name, own) -> {
                if (own.object() == null) { // deleted by this store: until the informer sees the delete, or a new object
                    return deleted || newer(object, own.version()) ? null : own;
                }
                return atLeast(object, own.version()) ? null : own;
            });
        }
    }
}
