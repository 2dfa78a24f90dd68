package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** spawner.logFormat: the service's console log as the release renders it into the site file. */
class LogFormatTest {

    private static final List<Path> STAGING = List.of(RenderedChart.SITE_COMMON, RenderedChart.EXAMPLES.resolve("staging.yaml"));

    @Test
    void aReleaseLogsJsonUnlessTheSiteAsksForText() throws IOException {
        assertThat(ServiceConfigTest.properties(RenderedChart.render(STAGING, Map.of())))
                .containsEntry("quarkus.log.console.json.enabled", "true");
        assertThat(ServiceConfigTest.properties(RenderedChart.render(STAGING, Map.of("spawner.logFormat", "text"))))
                .containsEntry("quarkus.log.console.json.enabled", "false");
    }

    @Test
    void anUnknownFormatIsRefusedByTheSchema() {
        assertThatThrownBy(() -> RenderedChart.render(STAGING, Map.of("spawner.logFormat", "xml")))
                .hasMessageContaining("logFormat");
    }
}
