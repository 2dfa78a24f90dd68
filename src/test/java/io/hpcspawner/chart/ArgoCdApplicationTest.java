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
            assertThat(RenderedChart.render(valuesFiles, Map.of()).podSpecs()).as("%s renders", name).hasSize(3);

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
