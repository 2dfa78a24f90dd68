package io.hpcspawner.spawn.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcspawner.spawn.model.Choice;
import io.hpcspawner.spawn.model.ClusterOffer;
import io.hpcspawner.spawn.model.ClusterOffer.PartitionOffer;
import io.hpcspawner.spawn.model.ClusterOffer.ReservationOffer;
import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.ProfileOption;
import io.hpcspawner.spawn.model.SoftwareEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a user may choose: each option kind with a good, a bad, an empty and an edge value, against
 * a cluster whose offer is known, unknown, or that does not answer. Every refusal's words are
 * asserted as the user reads them.
 */
class OptionRulesTest {

    static final Instant NOW = Instant.parse("2026-12-03T08:00:00Z");

    /** The cluster answered: debug (30 min, 2 nodes) and normal are up, long is down; two accounts, one reservation. */
    static final ClusterOffer KNOWN = new ClusterOffer("daint", true, "", Optional.of(List.of(
            new PartitionOffer("debug", true, 30, 2, 10, 3, 640),
            new PartitionOffer("normal", true, 1440, 0, 100, 20, 6400),
            new PartitionOffer("long", false, 0, 0, 10, 0, 640))),
            Optional.of(List.of("proj1", "proj2")), Optional.of("proj1"),
            Optional.of(List.of(new ReservationOffer("course", Optional.empty(), NOW, NOW.plusSeconds(3600)))), NOW);
    /** The cluster answered but could tell nothing of partitions, accounts or reservations. */
    static final ClusterOffer UNKNOWN = new ClusterOffer("daint", true, "", Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), NOW);
    static final ClusterOffer DOWN = ClusterOffer.unavailable("daint", "daint does not answer now", NOW);
    /** The cluster answered that the user has no reservation. */
    static final ClusterOffer NO_RESERVATIONS = new ClusterOffer("daint", true, "", Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.of(List.of()), NOW);

    static final Profile GPU = new Profile("gpu", "GPU", "", "daint", "normal", Optional.empty(), 4, 8,
            Optional.empty(), 60, 1440, List.of("--exclusive"), Duration.ofHours(1), List.of(
                    option(OptionName.PARTITION, "normal", List.of(), null, null, true, false),
                    option(OptionName.ACCOUNT, null, List.of(), null, null, true, false),
                    option(OptionName.RESERVATION, null, List.of("course", "maint"), null, null, true, false),
                    option(OptionName.CONSTRAINT, null, List.of("gpu", "mc"), null, null, false, false),
                    option(OptionName.QOS, "normal", List.of(), null, null, false, true),
                    option(OptionName.TIME, "60", List.of(), 1L, 1440L, false, false),
                    option(OptionName.NODES, "1", List.of(), 1L, 4L, false, false),
                    option(OptionName.CPUS, "4", List.of(), 1L, 8L, false, false),
                    option(OptionName.MEMORY, "8192", List.of(), 1024L, 65536L, false, false),
                    option(OptionName.GPUS, "1", List.of(), 0L, 4L, false, false),
                    option(OptionName.ENVIRONMENT, "jupyter", List.of("jupyter", "pytorch"), null, null, false, false)),
            List.of(new SoftwareEnvironment("jupyter", "JupyterLab", "", List.of("--uenv=jupyterlab/5.2"),
                    List.of("export A=1")),
                    new SoftwareEnvironment("pytorch", "PyTorch", "", List.of("--uenv=pytorch/2.5"), List.of())),
            List.of("gpu-users"));
    static final Profile SMALL = new Profile("small", "Small", "", "daint", "debug", Optional.empty(), 1, 4,
            Optional.empty(), 60, 120, List.of(), Duration.ofHours(1));
    static final Profile BIG = new Profile("big", "Big", "", "daint", "normal", Optional.of("proj1"), 8, 8,
            Optional.empty(), 60, 120, List.of(), Duration.ofHours(1));

    static ProfileOption option(OptionName name, String defaultValue, List<String> choices, Long min, Long max,
            boolean fromCluster, boolean fixed) {
        return new ProfileOption(name, name.defaultLabel(), "", Optional.ofNullable(defaultValue),
                choices.stream().map(Choice::of).toList(), min == null ? OptionalLong.empty() : OptionalLong.of(min),
                max == null ? OptionalLong.empty() : OptionalLong.of(max), fromCluster, fixed);
    }

    /** A row: the offer, what the user sent ("key=value&..."), the option looked at, and its value or the refusal. */
    static Arguments ok(ClusterOffer offer, String sent, OptionName option, String chosen) {
        return Arguments.of(offer.available() ? offer.partitions().isPresent() ? "known" : "unknown" : "unavailable",
                sent, offer, option, chosen, null);
    }

    static Arguments bad(ClusterOffer offer, String sent, String field, String message) {
        return Arguments.of(offer.available() ? offer.partitions().isPresent() ? "known" : "unknown" : "unavailable",
                sent, offer, null, field, message);
    }

    static Stream<Arguments> table() {
        return Stream.of(
                // partition: from the cluster, only those up
                ok(KNOWN, "partition=debug", OptionName.PARTITION, "debug"),
                bad(KNOWN, "partition=long", "options.partition", "partition must be one of: debug, normal; got \"long\""),
                ok(UNKNOWN, "partition=long", OptionName.PARTITION, "long"),
                ok(DOWN, "partition=long", OptionName.PARTITION, "long"),
                bad(UNKNOWN, "partition=no such", "options.partition",
                        "partition must be 1-64 characters from A-Z a-z 0-9 _ . -, got \"no such\""),
                ok(KNOWN, "partition=", OptionName.PARTITION, "normal"),
                // account: the user's, when known
                ok(KNOWN, "account=proj2", OptionName.ACCOUNT, "proj2"),
                bad(KNOWN, "account=proj9", "options.account", "account must be one of: proj1, proj2; got \"proj9\""),
                ok(UNKNOWN, "account=proj9", OptionName.ACCOUNT, "proj9"),
                ok(KNOWN, "account=", OptionName.ACCOUNT, null),
                // reservation: the site's choices narrowed to the user's reservations
                ok(KNOWN, "reservation=course", OptionName.RESERVATION, "course"),
                bad(KNOWN, "reservation=maint", "options.reservation", "reservation must be one of: course; got \"maint\""),
                bad(UNKNOWN, "reservation=x", "options.reservation",
                        "reservation must be one of: course, maint; got \"x\""),
                ok(DOWN, "reservation=maint", OptionName.RESERVATION, "maint"),
                bad(NO_RESERVATIONS, "reservation=course", "options.reservation",
                        "no reservation is open to you now; leave reservation empty, got \"course\""),
                ok(KNOWN, "reservation=", OptionName.RESERVATION, null),
                // constraint: the site's choices
                ok(KNOWN, "constraint=mc", OptionName.CONSTRAINT, "mc"),
                bad(DOWN, "constraint=x", "options.constraint", "constraint must be one of: gpu, mc; got \"x\""),
                // qos: fixed, may be repeated
                ok(KNOWN, "qos=normal", OptionName.QOS, "normal"),
                ok(KNOWN, "qos=", OptionName.QOS, "normal"),
                bad(UNKNOWN, "qos=high", "options.qos", "profile gpu always uses qos normal; leave qos empty"),
                // time: the site's range, narrowed by the chosen partition's limit
                ok(KNOWN, "time=1:30:00", OptionName.TIME, "90"),
                ok(KNOWN, "time=1440", OptionName.TIME, "1440"),
                ok(KNOWN, "time=", OptionName.TIME, "60"),
                bad(KNOWN, "time=1441", "options.time",
                        "time must be minutes (e.g. 60) or H:MM:SS from 1 minute to 1440 minutes, got \"1441\""),
                bad(KNOWN, "time=45&partition=debug", "options.time", "time must be minutes (e.g. 60) or H:MM:SS from"
                        + " 1 minute to 1440 minutes (partition debug allows at most 30), got \"45\""),
                ok(KNOWN, "time=30&partition=debug", OptionName.TIME, "30"),
                ok(UNKNOWN, "time=45&partition=debug", OptionName.TIME, "45"),
                bad(DOWN, "time=0", "options.time",
                        "time must be minutes (e.g. 60) or H:MM:SS from 1 minute to 1440 minutes, got \"0\""),
                // nodes: the site's range, narrowed by the partition's max nodes
                ok(KNOWN, "nodes=4", OptionName.NODES, "4"),
                bad(KNOWN, "nodes=3&partition=debug", "options.nodes",
                        "nodes must be a whole number from 1 to 4 (partition debug allows at most 2), got \"3\""),
                ok(UNKNOWN, "nodes=3&partition=debug", OptionName.NODES, "3"),
                bad(KNOWN, "nodes=two", "options.nodes", "nodes must be a whole number from 1 to 4, got \"two\""),
                // cpus
                ok(KNOWN, "cpus=8", OptionName.CPUS, "8"),
                ok(KNOWN, "cpus=", OptionName.CPUS, "4"),
                bad(UNKNOWN, "cpus=9", "options.cpus", "cpus must be a whole number from 1 to 8, got \"9\""),
                // memory in MiB or with a unit
                ok(KNOWN, "memory=16G", OptionName.MEMORY, "16384"),
                ok(KNOWN, "memory=1024", OptionName.MEMORY, "1024"),
                ok(KNOWN, "memory=", OptionName.MEMORY, "8192"),
                bad(DOWN, "memory=512", "options.memory", "memory must be MiB (e.g. 4096) or a size with a unit"
                        + " (e.g. 8G) from 1024 MiB to 65536 MiB, got \"512\""),
                // gpus, from 0
                ok(KNOWN, "gpus=0", OptionName.GPUS, "0"),
                ok(KNOWN, "gpus=4", OptionName.GPUS, "4"),
                bad(KNOWN, "gpus=9", "options.gpus", "gpus must be a whole number from 0 to 4, got \"9\""),
                bad(UNKNOWN, "gpus=-1", "options.gpus", "gpus must be a whole number from 0 to 4, got \"-1\""),
                // environment: one of the profile's
                ok(KNOWN, "environment=pytorch", OptionName.ENVIRONMENT, "pytorch"),
                ok(DOWN, "environment=", OptionName.ENVIRONMENT, "jupyter"),
                bad(KNOWN, "environment=conda", "options.environment",
                        "environment must be one of: jupyter, pytorch; got \"conda\""));
    }

    @ParameterizedTest(name = "[{0}] {1}")
    @MethodSource("table")
    void eachOptionIsCheckedAgainstTheSiteAndWhatTheClusterOffers(String offerKind, String sent, ClusterOffer offer,
            OptionName option, String expected, String message) {
        if (message == null) {
            assertThat(OptionRules.choose(GPU, offer, asked(sent)).get(option)).isEqualTo(Optional.ofNullable(expected));
        } else {
            assertThatThrownBy(() -> OptionRules.choose(GPU, offer, asked(sent)))
                    .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
                        assertThat(e.code()).isEqualTo("invalid_option");
                        assertThat(e.field()).isEqualTo(expected);
                        assertThat(e.getMessage()).isEqualTo(message);
                    });
        }
    }

    @Test
    void anOptionTheProfileDoesNotOfferIsRefusedNamingTheOnesItDoes() {
        assertThatThrownBy(() -> OptionRules.choose(SMALL, KNOWN, asked("reservation=course")))
                .hasMessage("profile small does not offer reservation; it offers: account, time, cpus")
                .extracting("field").isEqualTo("options.reservation");
        assertThat(OptionRules.choose(SMALL, KNOWN, asked("reservation=")).values())
                .as("an empty field of an option not offered asks for nothing").doesNotContainKey(OptionName.RESERVATION);
    }

    @Test
    void aFixedAccountMayBeRepeatedButNotChanged() {
        assertThat(OptionRules.choose(BIG, KNOWN, asked("account=proj1")).get(OptionName.ACCOUNT)).hasValue("proj1");
        assertThatThrownBy(() -> OptionRules.choose(BIG, KNOWN, asked("account=proj2")))
                .hasMessage("profile big always charges account proj1; leave account empty");
    }

    @Test
    void everyDefaultIsChosenAndTheEnvironmentComesWithIt() {
        ChosenOptions chosen = OptionRules.choose(GPU, DOWN, Map.of());

        assertThat(chosen.values()).containsExactly(Map.entry(OptionName.PARTITION, "normal"),
                Map.entry(OptionName.QOS, "normal"), Map.entry(OptionName.TIME, "60"), Map.entry(OptionName.NODES, "1"),
                Map.entry(OptionName.CPUS, "4"), Map.entry(OptionName.MEMORY, "8192"), Map.entry(OptionName.GPUS, "1"),
                Map.entry(OptionName.ENVIRONMENT, "jupyter"));
        assertThat(chosen.environment().map(SoftwareEnvironment::prelude)).hasValue(List.of("export A=1"));
    }

    static Map<String, String> asked(String sent) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : sent.split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return out;
    }
}
