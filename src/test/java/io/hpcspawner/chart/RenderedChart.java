package io.hpcspawner.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/** The chart rendered with Helm (helm-java, offline) and parsed into one JSON tree per object. */
final class RenderedChart {

    static final Path CHART = Path.of("chart");
    static final Path EXAMPLES = CHART.resolve("examples");
    static final Path SITE_COMMON = EXAMPLES.resolve("site-common.yaml");
    /** Pins every generated secret, so renders are stable and never reach `lookup` (which needs a cluster). */
    static final Path PINNED_SECRETS = Path.of("src/test/resources/chart/pinned-secrets.yaml");
    static final String RELEASE = "jhub";
    /** Helm's offline default is v1.20.0, below the chart's kubeVersion. */
    static final String KUBE_VERSION = "1.31.0";

    private static final YAMLMapper YAML = new YAMLMapper();
    private static Path withDependencies;

    final String text;
    final List<JsonNode> objects;

    private RenderedChart(String text, List<JsonNode> objects) {
        this.text = text;
        this.objects = objects;
    }

    /** Renders with the pinned secrets, then the given values files in order, then the given --set values. */
    static RenderedChart render(List<Path> valuesFiles, Map<String, Object> set) {
        TemplateCommand template = helm().template()
                .withName(RELEASE).withNamespace("jupyter").withKubeVersion(KUBE_VERSION)
                .withValuesFile(PINNED_SECRETS);
        valuesFiles.forEach(template::withValuesFile);
        set.forEach(template::set);
        String text = template.call();
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && document.isObject()) {
                    objects.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the rendered chart is not YAML:\n" + text, e);
        }
        return new RenderedChart(text, objects);
    }

    /** Helm on the chart as `helm dependency build` leaves it: see {@link #chartWithDependencies()}. */
    static Helm helm() {
        return new Helm(chartWithDependencies());
    }

    /**
     * A copy of chart/ (made once per test run) whose charts/ holds an unpacked stub of each
     * dependency: Helm refuses to lint or render a chart whose dependency is missing, even when its
     * condition is false, and the real Reloader chart cannot be fetched offline. The stub has no
     * templates; its values.yaml has the real chart's top-level keys, so the parent's schema is
     * checked against them as at a real install (Helm merges a dependency's defaults into its section).
     */
    static synchronized Path chartWithDependencies() {
        if (withDependencies == null) {
            try {
                Path temp = Files.createTempDirectory("hpcspawner-chart-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(temp)));
                Path copy = temp.resolve("hpcspawner");
                try (Stream<Path> files = Files.walk(CHART)) {
                    for (Path file : files.toList()) {
                        Path target = copy.resolve(CHART.relativize(file).toString());
                        if (Files.isDirectory(file)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(file, target);
                        }
                    }
                }
                Path reloader = Files.createDirectories(copy.resolve("charts/reloader"));
                Files.writeString(reloader.resolve("Chart.yaml"),
                        "apiVersion: v2\nname: reloader\nversion: 2.2.16\ndescription: test stub of stakater-charts/reloader\n");
                Files.writeString(reloader.resolve("values.yaml"), """
                        global: {imagePullSecrets: []}
                        kubernetes: {host: https://kubernetes.default}
                        nameOverride: ""
                        fullnameOverride: ""
                        reloader: {watchGlobally: true, reloadStrategy: default, serviceAccount: {create: true}}
                        """);
                withDependencies = copy;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return withDependencies;
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a leftover temporary copy is harmless
        }
    }

    static RenderedChart render(Path... valuesFiles) {
        return render(List.of(valuesFiles), Map.of());
    }

    /** The example staging release: site-common.yaml and staging.yaml. */
    static RenderedChart staging() {
        return render(SITE_COMMON, EXAMPLES.resolve("staging.yaml"));
    }

    /** Each example stage or cluster file, layered on site-common.yaml as a site deploys it (not the Argo CD examples). */
    static List<Path> exampleOverlays() {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).filter(f -> !f.equals(SITE_COMMON))
                    .filter(f -> !f.getFileName().toString().startsWith("argocd-")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(o -> name.equals(o.path("metadata").path("name").asText())).findFirst();
    }

    JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in:\n" + text));
    }

    /** The service's rendered site file (hpcspawner.properties of its ConfigMap). */
    String serviceProperties() {
        return get("ConfigMap", "jhub-hpcspawner-spawner").path("data").path("hpcspawner.properties").asText();
    }

    /** The value of one hpcspawner.* property of the service's site file, or null. */
    String serviceProperty(String name) {
        return serviceProperties().lines().filter(l -> l.startsWith(name + "=")).map(l -> l.substring(name.length() + 1))
                .findFirst().orElse(null);
    }

    /** The hub's jupyterhub_config.py, from the ConfigMap the hub mounts. */
    String hubConfigPy() {
        return get("ConfigMap", "jhub-hpcspawner-hub").path("data").path("jupyterhub_config.py").asText();
    }

    /** The hub's values (hub-values.json, which jupyterhub_config.py reads), decoded from the release's Secret. */
    String hubValuesJson() {
        return new String(java.util.Base64.getDecoder().decode(
                get("Secret", "jhub-hpcspawner").path("data").path("hub-values.json").asText()), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Pod templates of every workload, by workload name. */
    Map<String, JsonNode> podSpecs() {
        Map<String, JsonNode> specs = new java.util.TreeMap<>();
        for (JsonNode deployment : ofKind("Deployment")) {
            specs.put(deployment.path("metadata").path("name").asText(), deployment.path("spec").path("template").path("spec"));
        }
        return specs;
    }
}
