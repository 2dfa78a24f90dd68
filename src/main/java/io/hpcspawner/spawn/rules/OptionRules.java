package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.Choice;
import io.hpcspawner.spawn.model.ClusterOffer;
import io.hpcspawner.spawn.model.ClusterOffer.PartitionOffer;
import io.hpcspawner.spawn.model.ClusterOffer.ReservationOffer;
import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.Names;
import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.ProfileOption;
import io.hpcspawner.spawn.model.SoftwareEnvironment;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * What a user may choose for a start of one profile: the site's rules (fixed values, choices,
 * ranges), narrowed by what the cluster offers the user now where it is known (partitions that
 * are up and their limits, the user's accounts and reservations). A value the user sends is
 * checked against both; a default is the site's own and goes to Slurm as it is. An unavailable
 * system or a part the cluster could not tell leaves only the site's rules: the submit then meets
 * Slurm's. Every refusal names the field, what was wrong and what is allowed.
 */
public final class OptionRules {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private OptionRules() {
    }

    /**
     * The values a start of {@code profile} uses.
     *
     * @param asked the request's options by plain name ({@link FormAnswers}), without {@code profile};
     *        an empty value asks for the default
     * @throws InvalidRequestException {@code invalid_option} with field {@code options.<key>}
     */
    public static ChosenOptions choose(Profile profile, ClusterOffer offer, Map<String, String> asked) {
        for (Map.Entry<String, String> e : asked.entrySet()) {
            OptionName name = OptionName.of(e.getKey()).orElseThrow(() -> invalid(e.getKey(), "unknown option \""
                    + Names.printable(e.getKey()) + "\""));
            if (profile.option(name).isEmpty() && !e.getValue().isEmpty()) {
                throw invalid(name.key(), "profile " + profile.key() + " does not offer " + name.key() + "; it offers: "
                        + String.join(", ", profile.options().stream().map(ProfileOption::key).toList()));
            }
        }
        Map<OptionName, String> values = new EnumMap<>(OptionName.class);
        String partition = profile.partition();
        for (ProfileOption option : profile.options()) {
            String sent = asked.getOrDefault(option.key(), "");
            Optional<String> value = sent.isEmpty() ? option.defaultValue() : Optional.of(checked(profile, option,
                    sent, offer, partition));
            if (value.isPresent()) {
                values.put(option.name(), value.get());
                if (option.name() == OptionName.PARTITION) {
                    partition = value.get();
                }
            }
        }
        Optional<SoftwareEnvironment> environment = Optional.ofNullable(values.get(OptionName.ENVIRONMENT))
                .flatMap(profile::environment);
        return new ChosenOptions(values, environment);
    }

    private static String checked(Profile profile, ProfileOption option, String sent, ClusterOffer offer,
            String partition) {
        if (option.fixed()) {
            String fixed = option.defaultValue().orElse("");
            boolean same = OptionValues.isNumber(option.name())
                    ? OptionValues.parse(option.name(), sent).equals(OptionValues.parse(option.name(), fixed))
                    : sent.equals(fixed);
            if (!same) {
                throw invalid(option.key(), "profile " + profile.key() + (option.name() == OptionName.ACCOUNT
                        ? " always charges account " : " always uses " + option.key() + " ") + fixed + "; leave "
                        + option.key() + " empty");
            }
            return fixed;
        }
        if (OptionValues.isNumber(option.name())) {
            return Long.toString(number(option, sent, partitionOffer(offer, partition)));
        }
        return name(option, sent, offer);
    }

    private static long number(ProfileOption option, String sent, Optional<PartitionOffer> partition) {
        OptionName name = option.name();
        long min = option.min().orElse(name == OptionName.GPUS ? 0 : 1);
        long siteMax = option.max().orElse(Long.MAX_VALUE);
        int clusterMax = partition.map(p -> name == OptionName.TIME ? p.maxTimeMinutes()
                : name == OptionName.NODES ? p.maxNodes() : 0).orElse(0);
        long max = clusterMax > 0 ? Math.min(siteMax, clusterMax) : siteMax;
        OptionalLong n = OptionValues.parse(name, sent);
        if (n.isPresent() && n.getAsLong() >= min && n.getAsLong() <= max) {
            return n.getAsLong();
        }
        String limit = clusterMax > 0 && clusterMax < siteMax ? " (partition " + partition.get().name()
                + " allows at most " + clusterMax + ")" : "";
        throw invalid(option.key(), option.key() + " must be " + OptionValues.form(name) + " from "
                + OptionValues.amount(name, min) + " to " + OptionValues.amount(name, siteMax) + limit + ", got \""
                + Names.printable(sent) + "\"");
    }

    private static String name(ProfileOption option, String sent, ClusterOffer offer) {
        List<String> site = option.choices().stream().map(Choice::value).toList();
        Optional<List<String>> cluster = fromCluster(option.name(), offer);
        if (site.isEmpty() && cluster.isEmpty()) {
            if (!NAME.matcher(sent).matches()) {
                throw invalid(option.key(), option.key() + " must be 1-64 characters from A-Z a-z 0-9 _ . -, got \""
                        + Names.printable(sent) + "\"");
            }
            return sent;
        }
        List<String> allowed = site.isEmpty() ? cluster.get()
                : cluster.map(c -> site.stream().filter(c::contains).toList()).orElse(site);
        if (allowed.contains(sent)) {
            return sent;
        }
        if (allowed.isEmpty()) {
            throw invalid(option.key(), "no " + option.key() + " is open to you now; leave " + option.key()
                    + " empty, got \"" + Names.printable(sent) + "\"");
        }
        throw invalid(option.key(), option.key() + " must be one of: " + String.join(", ", allowed) + "; got \""
                + Names.printable(sent) + "\"");
    }

    /** The values the cluster allows this user for {@code name}, when it could tell. */
    private static Optional<List<String>> fromCluster(OptionName name, ClusterOffer offer) {
        return switch (name) {
            case PARTITION -> offer.partitions().map(ps -> ps.stream().filter(PartitionOffer::up)
                    .map(PartitionOffer::name).toList());
            case ACCOUNT -> offer.accounts();
            case RESERVATION -> offer.reservations().map(rs -> rs.stream().map(ReservationOffer::name).toList());
            default -> Optional.empty();
        };
    }

    private static Optional<PartitionOffer> partitionOffer(ClusterOffer offer, String partition) {
        return offer.partitions().flatMap(ps -> ps.stream().filter(p -> p.name().equals(partition)).findFirst());
    }

    private static InvalidRequestException invalid(String key, String message) {
        return new InvalidRequestException("invalid_option", "options." + Names.printable(key), message);
    }
}
