package io.hpcspawner.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.PodTemplateSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * healthCheck.schedule: a CronJob runs scripts/health-check.py (in the hub image) against the
 * service, one check at a time, failing when the check fails, with the pods' restricted security
 * context and a NetworkPolicy that lets it reach the service's API only.
 */
class HealthCheckCronJobTest {

    static RenderedChart scheduled(Map<String, Object> more) {
        Map<String, Object> set = new HashMap<>(HealthCheckChartTest.ENABLED);
        set.put("healthCheck.schedule", "17 * * * *");
        set.putAll(more);
        return HealthCheckChartTest.staging(set);
    }

    @Test
    void theCronJobRunsTheCheckScriptAgainstTheServiceOneAtATime() {
        RenderedChart chart = scheduled(Map.of());
        JsonNode cronJob = chart.get("CronJob", "jhub-hpcspawner-health-check");

        assertThat(cronJob.at("/spec/schedule").asText()).isEqualTo("17 * * * *");
        assertThat(cronJob.at("/spec/concurrencyPolicy").asText()).isEqualTo("Forbid");
        assertThat(cronJob.at("/spec/successfulJobsHistoryLimit").asInt()).isEqualTo(3);
        assertThat(cronJob.at("/spec/failedJobsHistoryLimit").asInt()).isEqualTo(3);
        JsonNode job = cronJob.at("/spec/jobTemplate/spec");
        assertThat(job.path("backoffLimit").asInt(-1)).as("a failed check is not retried").isZero();
        assertThat(job.path("activeDeadlineSeconds").asInt()).as("10m and two minutes").isEqualTo(720);
        JsonNode pod = job.at("/template/spec");
        assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
        JsonNode container = pod.at("/containers/0");
        assertThat(container.path("image").asText()).isEqualTo(
                chart.get("Deployment", "jhub-hpcspawner-hub").at("/spec/template/spec/containers/0/image").asText());
        assertThat(container.path("args").toString()).isEqualTo("[\"hpcspawner-health-check\"]");
        assertThat(container.path("env").toString()).isEqualTo("[{\"name\":\"HPCSPAWNER_URL\",\"value\":\"http://jhub-hpcspawner-spawner:8090\"},"
                + "{\"name\":\"HPCSPAWNER_TOKEN\",\"valueFrom\":{\"secretKeyRef\":{\"name\":\"jhub-hpcspawner\",\"key\":\"hub-token\"}}}]");
        // Reloader would start an unscheduled Job on each change of the Secret; each run reads it anyway
        assertThat(cronJob.at("/metadata/annotations").toString()).doesNotContain("reloader");
        assertThat(scheduled(Map.of("healthCheck.timeout", "1h")).get("CronJob", "jhub-hpcspawner-health-check")
                .at("/spec/jobTemplate/spec/activeDeadlineSeconds").asInt()).isEqualTo(3720);
    }

    @Test
    void itsPodIsRestrictedLikeTheOthersAndHasItsOwnAccountWithoutAToken() {
        RenderedChart chart = scheduled(Map.of());
        JsonNode pod = chart.get("CronJob", "jhub-hpcspawner-health-check").at("/spec/jobTemplate/spec/template/spec");

        assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        JsonNode container = pod.at("/containers/0/securityContext");
        assertThat(container.path("runAsUser").asInt()).as("the hub image's user").isEqualTo(1000);
        assertThat(container.path("allowPrivilegeEscalation").asBoolean(true)).isFalse();
        assertThat(container.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.at("/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(pod.at("/containers/0/resources/limits/memory").asText()).isEqualTo("64Mi");
        assertThat(pod.path("automountServiceAccountToken").asBoolean(true)).isFalse();
        assertThat(pod.path("serviceAccountName").asText()).isEqualTo("jhub-hpcspawner-health-check");
        assertThat(chart.get("ServiceAccount", "jhub-hpcspawner-health-check").path("automountServiceAccountToken").asBoolean(true)).isFalse();
    }

    @Test
    void itsPodReachesTheServicesApiAndDnsOnlyAndTheServiceAdmitsIt() {
        RenderedChart chart = scheduled(Map.of());
        JsonNode policy = chart.get("NetworkPolicy", "jhub-hpcspawner-health-check").path("spec");

        assertThat(policy.path("policyTypes").toString()).isEqualTo("[\"Ingress\",\"Egress\"]");
        assertThat(policy.path("ingress").isEmpty()).as("nothing reaches it").isTrue();
        JsonNode egress = policy.path("egress");
        assertThat(egress.get(0)).isEqualTo(HealthCheckChartTest.rule(chart, "to", "spawner", 8090));
        for (int i = 1; i < egress.size(); i++) {
            assertThat(egress.get(i).path("ports").toString()).as("only DNS besides the service").isEqualTo(
                    "[{\"port\":53,\"protocol\":\"UDP\"},{\"port\":53,\"protocol\":\"TCP\"}]");
        }
        JsonNode checkPods = policy.path("podSelector");
        assertThat(HealthCheckChartTest.rules(chart, "spawner", "ingress")).anySatisfy(rule -> {
            assertThat(rule.at("/from/0/podSelector")).isEqualTo(checkPods);
            assertThat(rule.at("/ports/0/port").asText()).isEqualTo("http");
        });
        assertThat(chart.get("CronJob", "jhub-hpcspawner-health-check").at("/spec/jobTemplate/spec/template/metadata/labels")
                .path("app.kubernetes.io/component").asText()).isEqualTo(checkPods.at("/matchLabels/app.kubernetes.io~1component").asText());
    }

    /**
     * The fields a CronJob may have (batch/v1; fabric8's batch model is not among the test
     * libraries, so KubernetesFieldsTest cannot read it): a misspelled one would be dropped.
     */
    @Test
    void theCronJobHasOnlyFieldsOfItsKubernetesType() throws Exception {
        JsonNode cronJob = scheduled(Map.of("healthCheck.cronJob.timeZone", "Europe/Zurich",
                "healthCheck.cronJob.nodeSelector.site", "hpc")).get("CronJob", "jhub-hpcspawner-health-check");

        assertThat(names(cronJob.path("spec"))).isSubsetOf("schedule", "timeZone", "concurrencyPolicy", "startingDeadlineSeconds",
                "successfulJobsHistoryLimit", "failedJobsHistoryLimit", "suspend", "jobTemplate");
        assertThat(names(cronJob.at("/spec/jobTemplate"))).isSubsetOf("metadata", "spec");
        assertThat(names(cronJob.at("/spec/jobTemplate/spec"))).isSubsetOf("backoffLimit", "activeDeadlineSeconds",
                "ttlSecondsAfterFinished", "template");
        new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .treeToValue(cronJob.at("/spec/jobTemplate/spec/template"), PodTemplateSpec.class);
        assertThat(cronJob.at("/spec/timeZone").asText()).isEqualTo("Europe/Zurich");
    }

    private static List<String> names(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void noScheduleNoCronJobAndAScheduleWithoutTheCheckIsRefused() {
        RenderedChart chart = HealthCheckChartTest.staging(HealthCheckChartTest.ENABLED);
        assertThat(chart.ofKind("CronJob")).isEmpty();
        assertThat(chart.find("NetworkPolicy", "jhub-hpcspawner-health-check")).isEmpty();
        assertThat(chart.find("ServiceAccount", "jhub-hpcspawner-health-check")).isEmpty();

        assertThatThrownBy(() -> HealthCheckChartTest.staging(Map.of("healthCheck.schedule", "@hourly")))
                .hasMessageContaining("healthCheck.schedule needs healthCheck.enabled");
    }

    @Test
    void theSchemaRefusesAScheduleThatIsNotCron() {
        for (String bad : List.of("every hour", "17 * * *", "@often")) {
            assertThatThrownBy(() -> scheduled(Map.of("healthCheck.schedule", bad))).as(bad)
                    .hasMessageContaining("at '/healthCheck/schedule'");
        }
        assertThat(scheduled(Map.of("healthCheck.schedule", "@hourly")).get("CronJob", "jhub-hpcspawner-health-check")
                .at("/spec/schedule").asText()).isEqualTo("@hourly");
    }

    @Test
    void theHubImageShipsTheScriptTheCronJobRuns() throws IOException {
        Path script = Path.of("scripts/health-check.py");
        assertThat(Files.readString(Path.of("dockerfiles/hub/Dockerfile")))
                .contains("COPY scripts/health-check.py /usr/local/bin/hpcspawner-health-check");
        assertThat(Files.isExecutable(script)).as("COPY keeps the mode: the CronJob runs it by name").isTrue();
        assertThat(Files.readAllLines(script).get(0)).isEqualTo("#!/usr/bin/env python3");
        assertThat(Files.readString(script)).as("the hub image's python3, standard library only")
                .doesNotContain("import requests").doesNotContain("import httpx");
    }
}
