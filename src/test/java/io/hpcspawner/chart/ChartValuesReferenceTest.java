package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;

/** docs/chart-values.md says what chart/values.schema.json and values.yaml say, and fails when it no longer does. */
class ChartValuesReferenceTest {

    @Test
    void theReferenceMatchesTheChart() throws IOException {
        String generated = ChartValuesReference.render();
        if (Boolean.getBoolean("chart.values.write")) {
            Files.writeString(ChartValuesReference.DOC, generated);
        }
        String written = Files.exists(ChartValuesReference.DOC) ? Files.readString(ChartValuesReference.DOC) : "";
        assertThat(written)
                .as("%s is out of date with %s and %s; regenerate it with: %s", ChartValuesReference.DOC,
                        ChartValuesReference.SCHEMA, ChartValuesReference.VALUES, ChartValuesReference.REGENERATE)
                .isEqualTo(generated);
    }

    @Test
    void everyValueOnThePageIsDescribed() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(ChartValuesReference.SCHEMA.toFile());

        assertThat(ChartValuesReference.undescribed(schema))
                .as("keys of %s shown in %s without a \"description\"", ChartValuesReference.SCHEMA, ChartValuesReference.DOC)
                .isEmpty();
    }

    @Test
    void aKeyWithoutDescriptionIsNamed() throws IOException {
        JsonNode schema = new ObjectMapper().readTree("""
                {"properties": {"hub": {"type": "object", "properties": {
                  "baseUrl": {"type": "string", "description": "the path the hub is served under"},
                  "db": {"type": "object", "properties": {"type": {"enum": ["sqlite-pvc", "sqlite-memory"]}}},
                  "extraConfig": {"type": "object", "description": "Python snippets",
                    "additionalProperties": {"type": "object", "properties": {"code": {"type": "string"}}}}}},
                 "imagePullSecrets": {"type": "array"}}}""");

        assertThat(ChartValuesReference.undescribed(schema))
                .containsExactly("hub.db.type", "hub.extraConfig.<name>.code", "imagePullSecrets");
    }

    @Test
    void aKeyShowsItsTypeDefaultAndDescription() throws IOException {
        JsonNode schema = new ObjectMapper().readTree("""
                {"properties": {"hub": {"type": "object", "properties": {
                  "cookieSecret": {"type": "string", "description": "64 hex characters | generated when empty"},
                  "db": {"type": "object", "properties": {"type": {"enum": ["sqlite-pvc", "sqlite-memory"]}}},
                  "extraConfig": {"type": "object", "additionalProperties": {"type": "string"}},
                  "replicas": {"const": 1}}},
                 "imagePullSecrets": {"type": "array"}}}""");
        JsonNode values = new YAMLMapper().readTree("""
                hub: {cookieSecret: "", db: {type: sqlite-pvc}, extraConfig: {}, replicas: 1}
                imagePullSecrets: []
                """);

        String doc = ChartValuesReference.render(schema, values);

        assertThat(doc)
                .contains("## `hub`")
                .contains("| `hub.cookieSecret` | string | `\"\"` | 64 hex characters \\| generated when empty |")
                .contains("| `hub.db.type` | one of `sqlite-pvc`, `sqlite-memory` | `sqlite-pvc` |  |")
                .contains("| `hub.extraConfig` | object of string | `{}` |  |")
                .contains("| `hub.replicas` | `1` only | `1` |  |")
                .contains("## Top level")
                .contains("| `imagePullSecrets` | array | `[]` |  |")
                .doesNotContain("| `hub` |", "| `hub.db` |");
    }
}
