package io.hpcspawner.spawn.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The form without JavaScript sends every profile's fields; only the chosen profile's count. */
class FormAnswersTest {

    static final Set<String> PROFILES = Set.of("small", "gpu");

    @Test
    void theChosenProfilesFieldsBecomeItsOptionsAndOtherProfilesFieldsAreDropped() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("profile", "gpu");
        form.put("small.cpus", "2");
        form.put("gpu.cpus", "8");
        form.put("gpu.reservation", "course");
        form.put("time", "30");

        assertThat(FormAnswers.forProfile("gpu", PROFILES, form)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "profile", "gpu", "cpus", "8", "reservation", "course", "time", "30"));
    }

    @Test
    void plainAndPrefixedValuesMustAgree() {
        assertThat(FormAnswers.forProfile("gpu", PROFILES, Map.of("cpus", "8", "gpu.cpus", "8")))
                .containsEntry("cpus", "8");
        assertThat(FormAnswers.forProfile("gpu", PROFILES, Map.of("cpus", "", "gpu.cpus", "8")))
                .containsEntry("cpus", "8");
        assertThat(FormAnswers.forProfile("gpu", PROFILES, Map.of("cpus", "8", "gpu.cpus", "")))
                .containsEntry("cpus", "8");
        assertThatThrownBy(() -> FormAnswers.forProfile("gpu", PROFILES, Map.of("cpus", "4", "gpu.cpus", "8")))
                .hasMessage("cpus was sent twice with different values: \"4\" as cpus and \"8\" as gpu.cpus; send one")
                .extracting("field").isEqualTo("options.cpus");
    }

    @Test
    void aPrefixThatIsNoProfileIsKeptToBeRefusedAsAnUnknownOption() {
        assertThat(FormAnswers.forProfile("gpu", PROFILES, Map.of("nosuch.cpus", "2"))).containsEntry("nosuch.cpus", "2");
    }
}
