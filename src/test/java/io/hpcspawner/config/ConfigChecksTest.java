package io.hpcspawner.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.support.TestConfigs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigChecksTest {

    @Test
    void aValidConfigurationHasNoProblems() {
        assertThat(new ConfigChecks(TestConfigs.from(TestConfigs.minimal())).problems()).isEmpty();
    }

    @Test
    void everyProblemIsReportedWithItsKeyAndAnExample() {
        Map<String, String> p = TestConfigs.minimal();
        p.remove("hpcspawner.public-url");
        p.put("hpcspawner.profiles.small.system", "daint");
        p.put("hpcspawner.profiles.small.cpus", "4");
        p.put("hpcspawner.profiles.small.max-cpus", "2");
        p.put("hpcspawner.profiles.small.sbatch-options", "--comment=$(id)");
        p.put("hpcspawner.systems.testsys.jwt-key-file", "/nonexistent/key");
        p.put("hpcspawner.systems.testsys.port-range", "80-90");
        List<String> problems = new ConfigChecks(TestConfigs.from(p)).problems();
        assertThat(problems).hasSize(6);
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.profiles.small.system:")
                .contains("no system named \"daint\"").contains("testsys"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.public-url:").contains("e.g."));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.profiles.small.max-cpus:"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.profiles.small.sbatch-options:"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.systems.testsys.jwt-key-file:")
                .contains("/nonexistent/key"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.systems.testsys.port-range:")
                .contains("e.g. 49152-65000"));
        assertThat(new InvalidConfigurationException(problems).getMessage()).contains("6 problem(s)");
    }

    @Test
    void outputReadByTheServiceMustLieUnderTheJobsWorkingDirectory() {
        for (String outside : List.of("/tmp/{job}.log", "{workdir}.log", "{workdir}/../{job}.log", "{workdir}/a/./{job}.log")) {
            Map<String, String> p = TestConfigs.minimal();
            p.put("hpcspawner.systems.testsys.output-path", outside);
            assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).as(outside).singleElement()
                    .satisfies(m -> assertThat(m).startsWith("hpcspawner.systems.testsys.output-path:").contains(outside)
                            .contains("e.g. {workdir}/.hpcspawner-{job}.log"));
        }
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.systems.testsys.output-path", "{workdir}/logs/{job}.log");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).isEmpty();
        p.put("hpcspawner.systems.testsys.output-path", "/scratch/{user}/{job}.log");
        p.put("hpcspawner.systems.testsys.output-readable", "false");
        p.put("hpcspawner.public-url", "http://127.0.0.1:8090");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).as("the service never reads it").isEmpty();
    }
}
