package io.hpcspawner.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappingInterface.Property;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is the site configuration reference: it must name every key of
 * {@link SpawnerConfig} (read from the mapping as SmallRye Config sees it, not from a hand list),
 * name no {@code hpcspawner.} key that does not exist, and give each key's built-in default.
 */
class ConfigurationReferenceTest {

    static final Path REFERENCE = Path.of("docs/configuration.md");

    /** A table row whose first cell is one key in backticks; the second cell is its default. */
    private static final Pattern KEY_ROW = Pattern.compile("^\\|\\s*`(hpcspawner\\.[^`]+)`\\s*\\|([^|]*)\\|", Pattern.MULTILINE);
    /** A key named anywhere in the text (not the tail of a file name such as /etc/hpcspawner/hpcspawner.properties). */
    private static final Pattern NAMED_KEY = Pattern.compile(
            "(?<![\\w/.-])hpcspawner(\\.(\"<[^>]*>\"|\"[^\"]*\"|<[^>]*>|[A-Za-z0-9_*-]+(\\[\\d+])?))+");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    /** Every key of the mapping ({@code hpcspawner.systems.*.backend}) with its {@code @WithDefault}, or null. */
    static Map<String, String> mappingKeys() {
        ConfigMappingInterface mapping = ConfigMappingInterface.getConfigurationInterface(SpawnerConfig.class);
        Map<String, Property> properties = ConfigMappingInterface.getProperties(mapping).get(SpawnerConfig.class).get("");
        Map<String, String> keys = new TreeMap<>();
        properties.forEach((name, property) -> {
            if (!name.endsWith("[*]")) {
                keys.put("hpcspawner." + name, property.hasDefaultValue() ? property.getDefaultValue() : null);
            }
        });
        return keys;
    }

    /** The reference's key rows: the key written with {@code <placeholder>} map names turned into {@code *}, and its default cell. */
    static Map<String, String> documentedRows(String text) {
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher row = KEY_ROW.matcher(text);
        while (row.find()) {
            rows.put(wildcards(row.group(1)), row.group(2).trim());
        }
        return rows;
    }

    static String wildcards(String key) {
        return key.replaceAll("\"<[^>]+>\"|<[^>]+>", "*");
    }

    /** Whether a key as the doc writes it ({@code hpcspawner.systems.daint.backend}, {@code ...<name>...}, {@code ...keycloak.*}) is one of the mapping's. */
    static boolean exists(String named, Set<String> mappingKeys) {
        String key = wildcards(named.replaceAll("\\[\\d+]$", ""));
        boolean group = key.endsWith(".*") && mappingKeys.stream().anyMatch(k -> k.startsWith(key.substring(0, key.length() - 1)));
        return group || mappingKeys.stream().anyMatch(k -> matches(k, key));
    }

    /** A mapping key's {@code *} (a map's key) stands for any one name, quoted or not. */
    private static boolean matches(String mappingKey, String key) {
        String regex = java.util.Arrays.stream(mappingKey.split("\\.", -1))
                .map(part -> part.equals("*") ? "(\"[^\"]*\"|[^.\"]+)" : Pattern.quote(part))
                .collect(Collectors.joining("\\."));
        return key.matches(regex);
    }

    /** The default a row states: its code spans joined with commas (a list may be written `A`, `B`), or empty. */
    static Optional<String> statedDefault(String cell) {
        List<String> spans = new ArrayList<>();
        Matcher code = CODE.matcher(cell);
        while (code.find()) {
            spans.add(code.group(1));
        }
        return spans.isEmpty() ? Optional.empty() : Optional.of(String.join(",", spans));
    }

    private static String reference() throws IOException {
        return Files.readString(REFERENCE);
    }

    @Test
    void everyKeyOfTheMappingHasARow() throws IOException {
        Set<String> documented = documentedRows(reference()).keySet();
        Set<String> missing = new TreeSet<>(mappingKeys().keySet());
        missing.removeAll(documented);
        assertThat(missing).as("keys of SpawnerConfig with no row in %s (write map names as <name>)", REFERENCE).isEmpty();
    }

    @Test
    void everyKeyTheReferenceNamesExists() throws IOException {
        Set<String> keys = mappingKeys().keySet();
        Matcher named = NAMED_KEY.matcher(reference());
        Set<String> unknown = new TreeSet<>();
        while (named.find()) {
            if (!exists(named.group(), keys)) {
                unknown.add(named.group());
            }
        }
        assertThat(unknown).as("keys %s names that SpawnerConfig does not read", REFERENCE).isEmpty();
    }

    @Test
    void everyRowStatesTheBuiltInDefault() throws IOException {
        Map<String, String> rows = documentedRows(reference());
        Map<String, String> wrong = new TreeMap<>();
        mappingKeys().forEach((key, builtIn) -> {
            if (builtIn != null && rows.containsKey(key)) {
                Optional<String> stated = statedDefault(rows.get(key));
                if (!stated.equals(Optional.of(builtIn))) {
                    wrong.put(key, "doc: " + stated.orElse("(none in backticks)") + ", @WithDefault: " + builtIn);
                }
            }
        });
        assertThat(wrong).as("defaults in %s that differ from SpawnerConfig's @WithDefault", REFERENCE).isEmpty();
    }

    @Test
    void everyKeyWithoutDefaultThatMustBeSetSaysRequired() throws IOException {
        Map<String, String> rows = documentedRows(reference());
        Set<String> notSaid = new TreeSet<>();
        requiredKeys().forEach(key -> {
            if (rows.containsKey(key) && !rows.get(key).startsWith("required")) {
                notSaid.add(key + " (doc: " + rows.get(key) + ")");
            }
        });
        assertThat(notSaid).as("keys the service cannot start without, whose row in %s does not say required", REFERENCE).isEmpty();
    }

    /** Keys with no default that are neither Optional nor a map: start-up fails without them (within their group). */
    static Set<String> requiredKeys() {
        ConfigMappingInterface mapping = ConfigMappingInterface.getConfigurationInterface(SpawnerConfig.class);
        Map<String, Property> properties = ConfigMappingInterface.getProperties(mapping).get(SpawnerConfig.class).get("");
        Set<String> required = new TreeSet<>();
        properties.forEach((name, property) -> {
            Class<?> type = property.getMethod().getReturnType();
            if (!name.endsWith("[*]") && !property.hasDefaultValue() && !property.isMap()
                    && type != Optional.class && !Map.class.isAssignableFrom(type)) {
                required.add("hpcspawner." + name);
            }
        });
        return required;
    }

    /** Guards the checks above against a parser that finds nothing, or finds keys that cannot exist. */
    @Test
    void theParsersSeeWhatASiteAdminSees() {
        Set<String> keys = mappingKeys().keySet();
        assertThat(keys).contains("hpcspawner.systems.*.backend", "hpcspawner.users.names.*", "hpcspawner.keycloak.issuer");
        assertThat(requiredKeys()).contains("hpcspawner.auth.hub-token", "hpcspawner.systems.*.backend", "hpcspawner.profiles.*.partition")
                .doesNotContain("hpcspawner.public-url", "hpcspawner.users.names.*", "hpcspawner.profiles.*.cpus");
        assertThat(exists("hpcspawner.systems.daint.jwt-key-file", keys)).isTrue();
        assertThat(exists("hpcspawner.users.names.\"Jane.Doe\"", keys)).isTrue();
        assertThat(exists("hpcspawner.keycloak.previous-token-encryption-keys[0]", keys)).isTrue();
        assertThat(exists("hpcspawner.systems.<name>.*", keys)).isTrue();
        assertThat(exists("hpcspawner.systems.daint.jwt-keyfile", keys)).isFalse();
        assertThat(exists("hpcspawner.profiles.small.gpus", keys)).isFalse();
        assertThat(documentedRows("| `hpcspawner.systems.<name>.port-range` | `49152-65000` | x |\n"))
                .containsEntry("hpcspawner.systems.*.port-range", "`49152-65000`");
        assertThat(statedDefault("`BASH_ENV`, `ENV`, `LD_*`")).contains("BASH_ENV,ENV,LD_*");
    }
}
