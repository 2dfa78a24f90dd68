package io.hpcspawner.spawn.model;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Server names that no URL can reach (a path segment of dots is resolved away) are refused. */
class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {".", "..", "..."})
    void aServerNameOfOnlyDotsIsRefused(String name) {
        assertThatThrownBy(() -> Names.requireServer(name)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("dots");
    }

    @Test
    void dotsInsideANameAreFine() {
        assertThatCode(() -> Names.requireServer("gpu.1")).doesNotThrowAnyException();
        assertThatCode(() -> Names.requireServer(".hidden")).doesNotThrowAnyException();
        assertThatCode(() -> Names.requireServer("")).doesNotThrowAnyException();
    }
}
