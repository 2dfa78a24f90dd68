package io.hpcspawner.spawn.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.hpcspawner.spawn.model.Choice;
import io.hpcspawner.spawn.model.ClusterOffer;
import io.hpcspawner.spawn.model.ClusterOffer.PartitionOffer;
import io.hpcspawner.spawn.model.ClusterOffer.ReservationOffer;
import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.ProfileOption;
import io.hpcspawner.spawn.model.Profiles;
import io.hpcspawner.spawn.model.ReadySignal;
import io.hpcspawner.spawn.model.SoftwareEnvironment;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.spawn.model.UserRules;
import io.quarkus.qute.Engine;
import io.quarkus.qute.HtmlEscaper;
import io.quarkus.qute.ReflectionValueResolver;
import io.quarkus.qute.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

/**
 * The spawn page's form as a browser without JavaScript sees it: systems first, the profiles open
 * to the user's groups, every field named {@code <profile>.<option>} with a label and its default,
 * a dead system shown unavailable with its reason, the site's strings escaped.
 */
class OptionsFormTest {

    static final Instant NOW = Instant.parse("2026-12-03T07:00:00Z");
    static final String DEAD = "the cluster daint does not answer now: connection refused";

    final Map<String, ClusterOffer> offers = new HashMap<>();
    final Map<String, String> askedAs = new HashMap<>();

    OptionsForm form(Profile... profiles) throws Exception {
        Map<String, Profile> byKey = new LinkedHashMap<>();
        for (Profile p : profiles) {
            byKey.put(p.key(), p);
        }
        Systems systems = new Systems(Map.of("alps", system("alps"), "daint", system("daint")));
        ClusterUsers users = new ClusterUsers(new UserRules(1000, Set.of(), Optional.empty(), false,
                Map.of("alice", "alice_c")), null);
        ClusterOffers scripted = new ClusterOffers(null, Clock.systemUTC()) {
            @Override
            public Map<String, ClusterOffer> offers(java.util.Collection<String> systems, String unixUser) {
                Map<String, ClusterOffer> out = new LinkedHashMap<>();
                systems.forEach(s -> {
                    askedAs.put(s, unixUser);
                    out.put(s, offers.get(s));
                });
                return out;
            }
        };
        Engine engine = Engine.builder().addDefaults().addValueResolver(new ReflectionValueResolver())
                .addResultMapper(new HtmlEscaper(List.of(Variant.TEXT_HTML))).build();
        var template = engine.parse(Files.readString(Path.of("src/main/resources/templates/options-form.html")),
                Variant.forContentType(Variant.TEXT_HTML));
        return new OptionsForm(new ProfileCatalog(new Profiles(byKey), systems), users, scripted, template);
    }

    static SystemSettings system(String name) {
        return new SystemSettings(name, false, "hpcsp", "x-{user}", "/home/{user}", "{workdir}/out", true, "{node}",
                "0.0.0.0", 50000, 50100, ReadySignal.values()[0], Map.of(), List.of(), "jupyterhub-singleuser");
    }

    static Profile classic(String key, String name, String description, String system) {
        return new Profile(key, name, description, system, "debug", Optional.empty(), 1, 4, Optional.empty(), 60, 120,
                List.of(), Duration.ofHours(1));
    }

    static ProfileOption option(OptionName name, String dflt, List<Choice> choices, Long min, Long max,
            boolean fromCluster, boolean fixed) {
        return new ProfileOption(name, "", "", Optional.ofNullable(dflt), choices,
                min == null ? OptionalLong.empty() : OptionalLong.of(min),
                max == null ? OptionalLong.empty() : OptionalLong.of(max), fromCluster, fixed);
    }

    /** A GPU profile for members of gpu-users: partition, account and reservation from the cluster, a time range, GPUs, two environments. */
    static Profile gpu() {
        List<ProfileOption> options = List.of(
                option(OptionName.PARTITION, "normal", List.of(), null, null, true, false),
                option(OptionName.ACCOUNT, null, List.of(), null, null, true, false),
                option(OptionName.RESERVATION, null, List.of(), null, null, true, false),
                option(OptionName.QOS, "normal", List.of(), null, null, false, true),
                option(OptionName.TIME, "60", List.of(), 1L, 1440L, false, false),
                option(OptionName.GPUS, "1", List.of(), 0L, 4L, false, false),
                option(OptionName.ENVIRONMENT, "lab", List.of(), null, null, false, false));
        List<SoftwareEnvironment> environments = List.of(
                new SoftwareEnvironment("lab", "JupyterLab uenv", "JupyterLab 4 with the default view",
                        List.of("--uenv=jupyterlab/4"), List.of("export HPCSP_ENV=lab")),
                new SoftwareEnvironment("torch", "PyTorch image", "", List.of("--container-image=pytorch"),
                        List.of("export HPCSP_ENV=torch")));
        return new Profile("gpu", "GPU", "One GPU node", "alps", "normal", Optional.empty(), 8, 64, Optional.empty(),
                60, 1440, List.of(), Duration.ofHours(2), options, environments, List.of("gpu-users"));
    }

    void alpsAnswers(Optional<List<String>> accounts) {
        offers.put("alps", new ClusterOffer("alps", true, "", Optional.of(List.of(
                new PartitionOffer("debug", true, 30, 1, 10, 3, 640),
                new PartitionOffer("normal", true, 1440, 16, 100, 40, 6400),
                new PartitionOffer("maint", false, 0, 0, 4, 0, 256))),
                accounts, accounts.map(a -> "proj2"),
                Optional.of(List.of(new ReservationOffer("course", Optional.empty(),
                        Instant.parse("2026-12-03T09:00:00Z"), Instant.parse("2026-12-03T17:00:00Z")))),
                NOW));
    }

    Document page(OptionsForm form, List<String> groups) {
        return Jsoup.parse(form.html("alice", groups));
    }

    @Test
    void everyFieldIsNamedByItsProfileLabelledAndPreselectedWithItsDefault() throws Exception {
        alpsAnswers(Optional.of(List.of("proj1", "proj2")));
        Document doc = page(form(classic("cpu", "CPU", "", "alps"), gpu()), List.of("gpu-users"));

        List<String> profiles = doc.select("input[name=profile]").eachAttr("value");
        assertThat(profiles).containsExactly("cpu", "gpu");
        for (Element field : doc.select("input, select")) {
            String name = field.attr("name");
            if (!name.equals("profile")) {
                assertThat(name).as("a field of one profile").matches("(cpu|gpu)\\.[a-z]+");
            }
            assertThat(doc.select("label[for=" + field.id() + "]")).as("label of " + name).hasSize(1);
            for (String help : field.attr("aria-describedby").split(" ")) {
                if (!help.isEmpty()) {
                    assertThat(doc.getElementById(help)).as(help + " described " + name).isNotNull();
                }
            }
        }
        assertThat(doc.select("[name^=cpu.]").eachAttr("name")).containsExactly("cpu.account", "cpu.time", "cpu.cpus");
        assertThat(doc.select("[name^=gpu.]").eachAttr("name")).containsExactly("gpu.partition", "gpu.account",
                "gpu.reservation", "gpu.time", "gpu.gpus", "gpu.environment");
        assertThat(doc.selectFirst("input[name=cpu.cpus]").attr("value")).isEqualTo("1");
        assertThat(doc.selectFirst("input[name=cpu.cpus]").attr("max")).isEqualTo("4");
        assertThat(doc.selectFirst("input[name=gpu.time]").attr("value")).isEqualTo("60");
        assertThat(doc.selectFirst("label[for=hpcsp-gpu-time]").text()).isEqualTo("Wall time (minutes, or H:MM:SS)");
        assertThat(doc.selectFirst("input[name=gpu.gpus]").attr("min")).isEqualTo("0");

        Element partition = doc.selectFirst("select[name=gpu.partition]");
        assertThat(partition.select("option").eachText()).containsExactly("debug — 3 of 10 nodes idle, up to 30 min",
                "normal — 40 of 100 nodes idle, up to 24 h", "maint — down, takes no jobs now");
        assertThat(partition.select("option[selected]").eachAttr("value")).containsExactly("normal");
        assertThat(partition.select("option[disabled]").eachAttr("value")).containsExactly("maint");
        Element account = doc.selectFirst("select[name=gpu.account]");
        assertThat(account.select("option").eachAttr("value")).as("the user's default first")
                .containsExactly("proj2", "proj1");
        assertThat(account.select("option[selected]").eachAttr("value")).containsExactly("proj2");
        assertThat(doc.selectFirst("select[name=gpu.reservation]").select("option").eachText())
                .containsExactly("No reservation", "course (Dec 3 09:00–17:00 UTC)");
        Element environment = doc.selectFirst("select[name=gpu.environment]");
        assertThat(environment.select("option").eachText())
                .containsExactly("JupyterLab uenv — JupyterLab 4 with the default view", "PyTorch image");
        assertThat(environment.select("option[selected]").eachAttr("value")).containsExactly("lab");
        assertThat(doc.select("[name=gpu.qos]")).as("a fixed option has no field").isEmpty();
        assertThat(doc.getElementById("hpcsp-gpu-qos").text()).isEqualTo("normal");
        assertThat(doc.select("input[name=profile][checked]").eachAttr("value")).containsExactly("cpu");
        assertThat(askedAs).containsEntry("alps", "x-alice_c");
    }

    @Test
    void aGroupsProfileIsOnlyInTheFormOfItsMembers() throws Exception {
        alpsAnswers(Optional.of(List.of("proj1")));
        OptionsForm form = form(classic("cpu", "CPU", "", "alps"), gpu());

        Document outsider = page(form, List.of("students"));
        assertThat(outsider.select("input[name=profile]").eachAttr("value")).containsExactly("cpu");
        assertThat(outsider.select("[name^=gpu.]")).isEmpty();
        assertThat(form.form("alice", List.of()).profiles()).extracting(OptionsForm.ProfileChoice::key)
                .containsExactly("cpu");

        Document member = page(form, List.of("students", "gpu-users"));
        assertThat(member.select("input[name=profile]").eachAttr("value")).containsExactly("cpu", "gpu");
    }

    @Test
    void aSystemThatDoesNotAnswerIsShownUnavailableWithItsReasonAndTheOtherStaysChoosable() throws Exception {
        alpsAnswers(Optional.of(List.of("proj1")));
        offers.put("daint", ClusterOffer.unavailable("daint", DEAD, NOW));
        Document doc = page(form(classic("a-daint", "Daint small", "", "daint"), classic("cpu", "CPU", "", "alps")),
                List.of());

        List<Element> systems = doc.select("fieldset.hpcsp-system");
        assertThat(systems).extracting(s -> s.selectFirst("legend").text())
                .containsExactly("System alps", "System daint (unavailable now)");
        Element daint = doc.getElementById("hpcsp-system-daint");
        assertThat(daint.hasAttr("disabled")).isTrue();
        assertThat(daint.text()).contains("Unavailable: " + DEAD);
        assertThat(doc.getElementById("hpcsp-profile-a-daint").hasAttr("disabled")).isTrue();
        assertThat(doc.getElementById("hpcsp-system-alps").hasAttr("disabled")).isFalse();
        assertThat(doc.select("input[name=profile][checked]").eachAttr("value")).containsExactly("cpu");
        assertThat(form(classic("a-daint", "Daint small", "", "daint")).form("alice", List.of()).systems())
                .containsExactly(new OptionsForm.SystemChoice("daint", false, DEAD));
    }

    @Test
    void aListTheClusterDidNotTellFallsBackToTheSitesChoicesOrTextWithAHint() throws Exception {
        alpsAnswers(Optional.empty());
        Document doc = page(form(gpu()), List.of("gpu-users"));

        Element account = doc.selectFirst("[name=gpu.account]");
        assertThat(account.tagName()).isEqualTo("input");
        assertThat(account.attr("type")).isEqualTo("text");
        assertThat(doc.getElementById(account.attr("aria-describedby")).text())
                .isEqualTo("Empty: your default account. " + OptionFields.NOT_ASKED);
    }

    @Test
    void theSitesStringsAreEscaped() throws Exception {
        alpsAnswers(Optional.of(List.of("proj1")));
        Profile sneaky = new Profile("cpu", "CPU <b>bold</b>", "needs \"quotes\" & <i>tags</i>", "alps", "debug",
                Optional.empty(), 1, 4, Optional.empty(), 60, 120, List.of(), Duration.ofHours(1),
                List.of(new ProfileOption(OptionName.CONSTRAINT, "Node <u>type</u>", "<script>alert(1)</script>",
                        Optional.empty(), List.of(new Choice("mc", "Multicore <em>CPU</em>", "")),
                        OptionalLong.empty(), OptionalLong.empty(), false, false)),
                List.of(), List.of());
        String html = form(sneaky).html("alice", List.of());
        Document doc = Jsoup.parse(html);

        assertThat(doc.select("b, i, u, em")).isEmpty();
        assertThat(doc.select("script")).hasSize(1); // the form's own, optional one
        assertThat(doc.selectFirst("label[for=hpcsp-profile-cpu]").text()).isEqualTo("CPU <b>bold</b>");
        assertThat(doc.getElementById("hpcsp-profile-cpu-help").text()).isEqualTo("needs \"quotes\" & <i>tags</i>");
        assertThat(doc.selectFirst("label[for=hpcsp-cpu-constraint]").text()).isEqualTo("Node <u>type</u>");
        assertThat(doc.getElementById("hpcsp-cpu-constraint-help").text()).isEqualTo("<script>alert(1)</script>");
        assertThat(doc.select("select[name=cpu.constraint] option").eachText())
                .containsExactly("The cluster's default", "Multicore <em>CPU</em>");
    }
}
