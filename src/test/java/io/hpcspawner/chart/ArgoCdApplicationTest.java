package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * chart/examples/argocd-application.yaml: one Argo CD Application per cluster and stage, each
 * naming this chart and values files that exist and render, with distinct releases and namespaces.
 */
class ArgoCdApplicationTest {

    private static final Path FILE = RenderedChart.EXAMPLES.resolve("argocd-application.yaml");
    private static final Set<String> SPEC_FIELDS = Set.of("project", "source", "sources", "destination", "syncPolicy",
            "ignoreDifferences", "info", "revisionHistoryLimit");
    private static final Set<String> HELM_FIELDS = Set.of("releaseName", "valueFiles", "values", "valuesObject", "parameters",
            "fileParameters", "ignoreMissingValueFiles", "passCredentials", "skipCrds", "skipSchemaValidation", "version",
            "kubeVersion", "apiVersions", "namespace");

    @Test
    void eachApplicationDeploysTheChartWithValuesFilesThatExistAndRender() throws Exception {
        List<JsonNode> applications = applications();
        assertThat(applications).hasSizeGreaterThanOrEqualTo(3);
        Set<String> releases = new HashSet<>();
        Set<String> namespaces = new HashSet<>();
        for (JsonNode application : applications) {
            String name = application.path("metadata").path("name").asText();
            assertThat(application.path("apiVersion").asText()).isEqualTo("argoproj.io/v1alpha1");
            assertThat(application.path("kind").asText()).isEqualTo("Application");
            JsonNode spec = application.path("spec");
            assertThat(fieldNames(spec)).as("%s spec", name).isSubsetOf(SPEC_FIELDS);
            JsonNode source = spec.path("source");
            assertThat(source.path("path").asText()).as("%s chart path", name).isEqualTo("chart");
            JsonNode helm = source.path("helm");
            assertThat(fieldNames(helm)).as("%s helm", name).isSubsetOf(HELM_FIELDS);

            List<Path> valuesFiles = new ArrayList<>();
            helm.path("valueFiles").forEach(f -> valuesFiles.add(RenderedChart.CHART.resolve(f.asText())));
            assertThat(valuesFiles).as("%s valueFiles", name).hasSizeGreaterThanOrEqualTo(2).allMatch(Files::isRegularFile);
            assertThat(RenderedChart.render(withValuesObject(valuesFiles, helm), Map.of()).podSpecs()).as("%s renders", name).hasSize(3);

            assertThat(releases.add(helm.path("releaseName").asText())).as("%s release name is its own", name).isTrue();
            assertThat(namespaces.add(spec.path("destination").path("namespace").asText())).as("%s namespace", name).isTrue();
        }
    }

    @Test
    void reloadersRollsAreNotDrift() throws Exception {
        for (JsonNode application : applications()) {
            assertThat(application.path("spec").path("ignoreDifferences").toString()).contains("STAKATER_");
        }
    }

    @Test
    void noApplicationUsesSecretsArgoCdWouldMintAgainOnEverySync() throws Exception {
        // Argo CD renders with `helm template`: no lookup, so secrets.source=chart regenerates every token
        // (users logged out, the proxy and the hub out of step) at each sync.
        for (JsonNode application : applications()) {
            JsonNode helm = application.path("spec").path("source").path("helm");
            String source = "chart";
            List<JsonNode> layers = new ArrayList<>();
            for (JsonNode file : helm.path("valueFiles")) {
                layers.add(new YAMLMapper().readTree(RenderedChart.CHART.resolve(file.asText()).toFile()));
            }
            layers.add(helm.path("valuesObject"));
            for (JsonNode layer : layers) {
                source = layer.path("secrets").path("source").asText(source);
            }
            assertThat(source).as("%s secrets.source", application.path("metadata").path("name").asText()).isNotEqualTo("chart");
        }
    }

    /** The Application's valueFiles, then its helm.valuesObject (which Argo CD applies last) as one more file. */
    private static List<Path> withValuesObject(List<Path> valuesFiles, JsonNode helm) throws Exception {
        if (!helm.has("valuesObject")) {
            return valuesFiles;
        }
        Path file = Files.createTempFile("argocd-values-object", ".yaml");
        file.toFile().deleteOnExit();
        new YAMLMapper().writeValue(file.toFile(), helm.path("valuesObject"));
        List<Path> all = new ArrayList<>(valuesFiles);
        all.add(file);
        return all;
    }

    private static List<JsonNode> applications() throws Exception {
        List<JsonNode> documents = new ArrayList<>();
        try (MappingIterator<JsonNode> it = new YAMLMapper().readerFor(JsonNode.class).readValues(FILE.toFile())) {
            it.forEachRemaining(documents::add);
        }
        return documents;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
