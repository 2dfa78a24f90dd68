package io.hpcspawner.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.config.InvalidConfigurationException;
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
    void theKeycloakUserRoleMayNotBeTheHubRole() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.auth.keycloak.hub-role", "hpc");
        p.put("hpcspawner.auth.keycloak.user-role", "hpc");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).containsExactly("hpcspawner.auth.keycloak.user-role:"
                + " hpc is also the hub-role, so every user's Keycloak token would reach every server: give users their"
                + " own role, e.g. user");
    }

    @Test
    void theHealthChecksHubUrlAndTokenGoTogether() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.health-check.hub-api-url", "hub:8081/hub/api");
        List<String> problems = new ConfigChecks(TestConfigs.from(p)).problems();

        assertThat(problems).containsExactly("hpcspawner.health-check: hub-api-url and hub-token go together (the check"
                + " is on with both, off with neither), e.g. hub-api-url=http://hub:8081/hub/api and"
                + " hub-token=file:/run/secrets/check-token",
                "hpcspawner.health-check.hub-api-url: must be an http or https URL, e.g. http://hub:8081/hub/api");
        p.put("hpcspawner.health-check.hub-api-url", "http://hub:8081/hub/api");
        p.put("hpcspawner.health-check.hub-token", "file:relative/token");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).singleElement().asString()
                .startsWith("hpcspawner.health-check.hub-token").contains("absolute");
    }

    @Test
    void theReplacedRenewMarginAndNegativeTokenDurationsAreNamed() {
        Map<String, String> p = TestConfigs.withKeycloak();
        p.put("hpcspawner.keycloak.renew-margin", "60s");
        p.put("hpcspawner.keycloak.token-margin", "-5s");
        List<String> problems = new ConfigChecks(TestConfigs.from(p)).problems();

        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.keycloak.renew-margin: replaced")
                .contains("token-margin"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.keycloak.token-margin: must not be negative"));
    }

    @Test
    void aMalformedPreviousTokenKeyIsNamedByItsPosition() {
        Map<String, String> p = TestConfigs.withKeycloak();
        p.put("hpcspawner.keycloak.previous-token-encryption-keys",
                "file:/run/secrets/old-key,c2l4dGVlbiBieXRlIGtleQ==,vault:no-field,file:relative");
        List<String> problems = new ConfigChecks(TestConfigs.from(p)).problems();

        assertThat(problems).hasSize(3);
        assertThat(problems).anySatisfy(m -> assertThat(m)
                .startsWith("hpcspawner.keycloak.previous-token-encryption-keys[1]: ").contains("32 bytes")
                .doesNotContain("c2l4dGVlbiBieXRlIGtleQ=="));
        assertThat(problems).anySatisfy(m -> assertThat(m)
                .startsWith("hpcspawner.keycloak.previous-token-encryption-keys[2] ").contains("vault:"));
        assertThat(problems).anySatisfy(m -> assertThat(m)
                .startsWith("hpcspawner.keycloak.previous-token-encryption-keys[3] ").contains("absolute"));
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
        p.put("hpcspawner.profiles.small.queue-timeout", "0s");
        List<String> problems = new ConfigChecks(TestConfigs.from(p)).problems();
        assertThat(problems).hasSize(7);
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.profiles.small.queue-timeout:")
                .contains("e.g. 2h"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.profiles.small.system:")
                .contains("no system named \"daint\"").contains("testsys"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.public-url:").contains("e.g."));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.profiles.small.max-cpus:"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.profiles.small.sbatch-options:"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.systems.testsys.jwt-key-file:")
                .contains("/nonexistent/key"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.systems.testsys.port-range:")
                .contains("e.g. 49152-65000"));
        assertThat(new InvalidConfigurationException(problems).getMessage()).contains("7 problem(s)");
    }

    @Test
    void submitRetrySettingsAreChecked() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.submit.retry-for", "-1s");
        p.put("hpcspawner.submit.retry-interval", "0s");
        List<String> problems = new ConfigChecks(TestConfigs.from(p)).problems();
        assertThat(problems).containsExactlyInAnyOrder(
                "hpcspawner.submit.retry-for: must not be negative, e.g. 2m (0s fails a start at once)",
                "hpcspawner.submit.retry-interval: must be longer than zero, e.g. 2s");
        assertThat(TestConfigs.from(TestConfigs.minimal()).submit().retryFor()).isEqualTo(java.time.Duration.ofMinutes(2));
    }

    @Test
    void aSiteTemplateThatDropsTheJobEnvironmentIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        // A template from before secrets moved into the script body would start servers without their hub token.
        java.nio.file.Path old = java.nio.file.Files.writeString(dir.resolve("old.sh.qute"),
                "#!/bin/bash\n{#for line in sbatch}\n#SBATCH {line}\n{/for}\njupyterhub-singleuser\n");
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.batch.template", old.toString());
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).singleElement().satisfies(m -> assertThat(m)
                .startsWith("hpcspawner.batch.template:").contains("{#for line in environment}").contains("{startSecret}"));
        java.nio.file.Path current = java.nio.file.Files.writeString(dir.resolve("new.sh.qute"), new String(
                ConfigChecksTest.class.getResourceAsStream("/hpcspawner/batch-script.sh.qute").readAllBytes()));
        p.put("hpcspawner.batch.template", current.toString());
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).isEmpty();
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

    @Test
    void aSlurmrestdProfileMaySendOnlyOptionsSlurmrestdHasFieldsFor() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.profiles.small.sbatch-options", "--qos=high,--constraint=gpu,--gres=gpu:1,--exclusive,"
                + "--mail-type=END,--nodes=two");
        List<String> problems = new ConfigChecks(TestConfigs.from(p)).problems();

        assertThat(problems).hasSize(2);
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.profiles.small.sbatch-options: ")
                .contains("\"--mail-type=END\" cannot be sent through slurmrestd").contains("--qos"));
        assertThat(problems).anySatisfy(m -> assertThat(m).startsWith("hpcspawner.profiles.small.sbatch-options: ")
                .contains("\"--nodes=two\"").contains("--nodes=1"));
    }

    @Test
    void anUnknownSlurmrestdApiVersionIsNamedWithTheSupportedOnes() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.systems.testsys.api-version", "v0.0.39");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).singleElement().satisfies(m -> assertThat(m)
                .startsWith("hpcspawner.systems.testsys.api-version: v0.0.39").contains("v0.0.38, v0.0.40, v0.0.41, v0.0.42"));
        p.put("hpcspawner.systems.testsys.api-version", "v0.0.42");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).isEmpty();
    }

    static final String GPU = "hpcspawner.profiles.small";

    static List<String> problemsWith(Map<String, String> extra) {
        Map<String, String> p = TestConfigs.minimal();
        p.putAll(extra);
        return new ConfigChecks(TestConfigs.from(p)).problems();
    }

    @Test
    void anUnknownOptionIsNamedWithTheKnownOnes() {
        assertThat(problemsWith(Map.of(GPU + ".options.gpu.max", "4"))).containsExactly(GPU + ".options.gpu: unknown"
                + " option \"gpu\"; known options: partition, account, reservation, constraint, qos, time, nodes, cpus,"
                + " memory, gpus, environment");
    }

    @Test
    void aDefaultOutsideItsRangeOrChoicesAndAMinAboveTheMaxAreRefused() {
        assertThat(problemsWith(Map.of(GPU + ".options.gpus.default", "9", GPU + ".options.gpus.max", "4")))
                .containsExactly(GPU + ".options.gpus.default: 9 must lie within min=- and max=4");
        assertThat(problemsWith(Map.of(GPU + ".options.time.min", "2:00:00", GPU + ".options.time.max", "60")))
                .containsExactly(GPU + ".options.time.min: 2:00:00 is above max=60");
        assertThat(problemsWith(Map.of(GPU + ".options.memory.max", "lots"))).containsExactly(GPU + ".options.memory.max:"
                + " \"lots\" must be MiB (e.g. 4096) or a size with a unit (e.g. 8G), e.g. 64G");
        assertThat(problemsWith(Map.of(GPU + ".options.reservation.choices", "course=Course week,maint",
                GPU + ".options.reservation.default", "night"))).containsExactly(GPU + ".options.reservation.default:"
                        + " \"night\" is not one of its choices: course, maint");
        assertThat(problemsWith(Map.of(GPU + ".options.time.min", "30", GPU + ".options.time.max", "24:00:00",
                GPU + ".options.time.default", "1:00:00"))).isEmpty();
    }

    @Test
    void anEnvironmentOptionNeedsEnvironmentsAndADefaultThatIsOne() {
        assertThat(problemsWith(Map.of(GPU + ".options.environment.label", "Software"))).containsExactly(GPU
                + ".options.environment: the profile has no environments to choose from; describe each, e.g. " + GPU
                + ".environments.jupyter.sbatch-options=--uenv=jupyterlab/5.2:/user-tools,--view=jupyter");
        assertThat(problemsWith(Map.of(GPU + ".environments.jupyter.sbatch-options", "--comment=jupyter",
                GPU + ".options.environment.default", "conda"))).containsExactly(GPU + ".options.environment.default:"
                        + " \"conda\" is not one of the profile's environments: jupyter");
    }

    @Test
    void choicesOnlyOnOptionsThatTakeThem() {
        assertThat(problemsWith(Map.of(GPU + ".options.cpus.choices", "2,4"))).containsExactly(GPU + ".options.cpus"
                + ".choices: cpus is a number: give min and max instead, e.g. " + GPU + ".options.cpus.max=4");
        assertThat(problemsWith(Map.of(GPU + ".environments.jupyter.label", "Jupyter",
                GPU + ".options.environment.choices", "jupyter"))).containsExactly(GPU + ".options.environment.choices:"
                        + " environment is chosen from the profile's environments: describe each under"
                        + " environments.<key> instead");
        assertThat(problemsWith(Map.of(GPU + ".options.qos.max", "4"))).containsExactly(GPU + ".options.qos: min and"
                + " max are for numbers (time, nodes, cpus, memory, gpus); give qos choices instead, e.g. " + GPU
                + ".options.qos.choices=a,b");
    }

    @Test
    void anEnvironmentsSbatchOptionMustBeOneSlurmrestdCanSend() {
        List<String> problems = problemsWith(Map.of(GPU + ".environments.jupyter.sbatch-options",
                "--uenv=jupyterlab/5.2:/user-tools"));

        assertThat(problems).singleElement().asString().startsWith(GPU + ".environments.jupyter.sbatch-options:"
                + " \"--uenv=jupyterlab/5.2:/user-tools\" cannot be sent through slurmrestd").contains("--qos")
                .endsWith("(system testsys uses backend slurmrestd)");
    }

    @Test
    void theStoresKindNamespaceAndImportMustFitTogether() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.store.kind", "kubernetes");
        p.put("hpcspawner.store.namespace", "jhub");
        p.put("hpcspawner.store.import-from", "file");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).as("the move into Kubernetes").isEmpty();

        p.put("hpcspawner.store.import-from", "kubernetes");
        p.put("hpcspawner.store.namespace", "JHub");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).containsExactly(
                "hpcspawner.store.import-from: kubernetes is this store's own kind (hpcspawner.store.kind=kubernetes);"
                        + " name the other kind, e.g. import-from=file with kind=kubernetes",
                "hpcspawner.store.namespace: JHub is not a Kubernetes namespace name (lowercase letters, digits and"
                        + " '-'), e.g. jhub");

        p.remove("hpcspawner.store.kind");
        p.remove("hpcspawner.store.import-from");
        p.put("hpcspawner.store.namespace", "jhub");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).containsExactly("hpcspawner.store.namespace: only"
                + " the Kubernetes store uses it; set hpcspawner.store.kind=kubernetes (or import-from=kubernetes), or"
                + " remove it");
        p.put("hpcspawner.store.import-from", "kubernetes");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).as("the move back to files").isEmpty();
    }

    @Test
    void anUnknownStoreKindIsRefusedNamingTheKinds() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.store.kind", "etcd");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestConfigs.from(p)).hasMessageContaining("etcd");
    }

    @Test
    void eachBadSettingIsOneLineWithItsKeyAndAValidExampleButNeverItsValue() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.auth.hub-token", "short-secret");
        p.put("hpcspawner.job-name-prefix", "Bad Prefix");
        p.put("hpcspawner.watch.jitter", "0.7");
        p.put("hpcspawner.batch.failure-output-lines", "501");
        p.put("hpcspawner.limits.servers-per-user", "0");
        p.put("hpcspawner.profiles.small.cpus", "0");
        p.put("hpcspawner.profiles.small.memory", "8 GB");
        p.put("hpcspawner.profiles.small.account", "proj 1");
        p.put("hpcspawner.profiles.small.environments.big.prelude", "export X=" + "x".repeat(4100));
        List<String> problems = new ConfigChecks(TestConfigs.from(p)).problems();

        assertThat(problems).containsExactlyInAnyOrder(
                "hpcspawner.auth.hub-token: must be at least 32 characters; generate one with: openssl rand -hex 32",
                "hpcspawner.job-name-prefix: must be 1-16 lowercase letters or digits, starting with a letter, e.g. hpcsp",
                "hpcspawner.watch.jitter: must be from 0.0 to 0.5, e.g. 0.1",
                "hpcspawner.batch.failure-output-lines: must be from 1 to 500, e.g. 20",
                "hpcspawner.limits.servers-per-user: must be at least 1, e.g. 10",
                "hpcspawner.profiles.small.cpus: must be at least 1, e.g. 4",
                "hpcspawner.profiles.small.memory: must be a Slurm memory size, e.g. 8G",
                "hpcspawner.profiles.small.account: must be a Slurm account name, e.g. csstaff",
                "hpcspawner.profiles.small.environments.big.prelude[0]: must be one shell line of at most 4096"
                        + " characters, e.g. export MY_ENV=1");
        assertThat(String.join("\n", problems)).doesNotContain("short-secret");
    }

    @Test
    void aPortRangeThatIsNotLowHighIsOneProblemNotACrash() {
        Map<String, String> p = TestConfigs.minimal();
        p.put("hpcspawner.systems.testsys.port-range", "49152:65000");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).containsExactly(
                "hpcspawner.systems.testsys.port-range: must be two port numbers as low-high, e.g. 49152-65000");
        p.put("hpcspawner.systems.testsys.port-range", "80-65000");
        assertThat(new ConfigChecks(TestConfigs.from(p)).problems()).singleElement().asString()
                .startsWith("hpcspawner.systems.testsys.port-range: 80-65000 must be low-high within 1024-65535");
    }
}
