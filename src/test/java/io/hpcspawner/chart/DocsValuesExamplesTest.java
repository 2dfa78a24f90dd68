package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The chart values shown in the site docs render: each ```yaml block marked with a line
 * {@code <!-- values -->} right before it is layered on site-common.yaml and staging.yaml (a
 * complete stage) and rendered, so a renamed or removed value fails the build (the schema refuses
 * unknown keys). Every other ```yaml block must say why it is not chart values
 * ({@code <!-- not values: ... -->}), so a new example cannot slip past unchecked.
 */
class DocsValuesExamplesTest {

    private static final List<Path> PAGES = List.of(
            Path.of("docs/installation.md"), Path.of("docs/vault.md"), Path.of("docs/keycloak.md"), Path.of("docs/operations.md"));
    static final String VALUES_MARK = "<!-- values -->";
    static final String NOT_VALUES_MARK = "<!-- not values:";

    /** One ```yaml block of a page: where it starts, whether it is marked as values, and its text. */
    record YamlBlock(Path page, int line, String mark, String text) {
        String where() {
            return page + ":" + line;
        }
    }

    @TestFactory
    Stream<DynamicTest> eachValuesBlockRendersOnTheSiteExample() {
        List<YamlBlock> values = blocks().stream().filter(b -> VALUES_MARK.equals(b.mark())).toList();
        for (Path page : PAGES) {
            assertThat(values).as("values examples in %s", page).anyMatch(b -> b.page().equals(page));
        }
        return values.stream().map(block -> DynamicTest.dynamicTest(block.where(), () -> {
            Path file = Files.createTempFile("docs-values-", ".yaml");
            try {
                Files.writeString(file, block.text());
                try {
                    RenderedChart chart = RenderedChart.render(List.of(RenderedChart.SITE_COMMON,
                            RenderedChart.EXAMPLES.resolve("staging.yaml"), file), Map.of());
                    assertThat(chart.podSpecs()).as("%s renders the three workloads", block.where()).hasSize(3);
                } catch (RuntimeException e) {
                    fail("the values example at " + block.where() + " does not render on site-common.yaml + staging.yaml:\n"
                            + block.text() + "\n" + e.getMessage());
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyYamlBlockIsMarked() {
        return blocks().stream().map(block -> DynamicTest.dynamicTest(block.where(), () -> assertThat(block.mark())
                .as("%s: put %s (chart values, rendered by this test) or %s <why> --> on the line before ```yaml",
                        block.where(), VALUES_MARK, NOT_VALUES_MARK)
                .isNotNull()));
    }

    /** Every ```yaml block of the pages, with the marker comment on the line before it (or null). */
    static List<YamlBlock> blocks() {
        List<YamlBlock> blocks = new ArrayList<>();
        for (Path page : PAGES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(page);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).strip().equals("```yaml")) {
                    continue;
                }
                String before = i > 0 ? lines.get(i - 1).strip() : "";
                String mark = before.equals(VALUES_MARK) ? VALUES_MARK : before.startsWith(NOT_VALUES_MARK) ? before : null;
                StringBuilder text = new StringBuilder();
                int start = i + 1;
                for (i = start; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
                    text.append(lines.get(i)).append('\n');
                }
                blocks.add(new YamlBlock(page, start, mark, text.toString()));
            }
        }
        return blocks;
    }
}
