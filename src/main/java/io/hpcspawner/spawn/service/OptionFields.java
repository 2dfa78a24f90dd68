package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.Choice;
import io.hpcspawner.spawn.model.ClusterOffer;
import io.hpcspawner.spawn.model.ClusterOffer.PartitionOffer;
import io.hpcspawner.spawn.model.ClusterOffer.ReservationOffer;
import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.ProfileOption;
import io.hpcspawner.spawn.model.SoftwareEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a profile's options and what its system offers the user now into the form's fields: a
 * value the cluster lists becomes a choice among them (narrowed to the site's choices), a part the
 * cluster did not tell falls back to the site's choices or a text field, with a hint saying so.
 */
final class OptionFields {

    static final String NOT_ASKED = "The cluster could not be asked for the allowed values now; what you enter is"
            + " checked when the job is submitted.";

    private OptionFields() {
    }

    /** The fields of profile {@code p}, in {@link OptionName} order, with {@code offer} applied. */
    static List<FormOption> of(Profile p, ClusterOffer offer) {
        return p.options().stream().map(o -> field(p, o, offer)).toList();
    }

    private static FormOption field(Profile p, ProfileOption o, ClusterOffer offer) {
        String label = label(o);
        String value = o.defaultValue().orElse("");
        if (o.fixed()) {
            return new FormOption(o.key(), FormOption.FIXED, label, o.description(), value, null, null, List.of(),
                    false, false);
        }
        if (o.name() == OptionName.ENVIRONMENT) {
            return environment(p, o, label);
        }
        if (o.fromCluster()) {
            Optional<FormOption> live = offer.available() ? fromOffer(o, label, offer) : Optional.empty();
            return live.orElseGet(() -> siteOnly(o, label, help(o.description(), NOT_ASKED), true));
        }
        return siteOnly(o, label, o.description(), false);
    }

    /** The site's own rules: its choices, its range or free text. */
    private static FormOption siteOnly(ProfileOption o, String label, String help, boolean fromCluster) {
        String value = o.defaultValue().orElse("");
        if (!o.choices().isEmpty()) {
            List<FormOption.OptionValue> items = new ArrayList<>();
            if (value.isEmpty()) {
                items.add(none(o.name()));
            }
            o.choices().forEach(c -> items.add(new FormOption.OptionValue(c.value(), c.label(), true)));
            return new FormOption(o.key(), FormOption.CHOICE, label, help, value, null, null, items, fromCluster,
                    false);
        }
        if (o.min().isPresent() || o.max().isPresent()) {
            Long min = o.min().isPresent() ? o.min().getAsLong() : null;
            Long max = o.max().isPresent() ? o.max().getAsLong() : null;
            String kind = o.name() == OptionName.TIME ? FormOption.DURATION : FormOption.RANGE;
            return new FormOption(o.key(), kind, label, help(help, limits(o.name(), min, max)), value, min, max,
                    List.of(), fromCluster, false);
        }
        String empty = value.isEmpty() ? "Empty: " + none(o.name()).label().toLowerCase(Locale.ROOT) + "." : "";
        return new FormOption(o.key(), FormOption.TEXT, label, help(empty, help), value, null, null, List.of(),
                fromCluster, false);
    }

    private static Optional<FormOption> fromOffer(ProfileOption o, String label, ClusterOffer offer) {
        return switch (o.name()) {
            case PARTITION -> offer.partitions().map(parts -> partitions(o, label, parts));
            case ACCOUNT -> offer.accounts().map(accounts -> accounts(o, label, accounts, offer.defaultAccount()));
            case RESERVATION -> offer.reservations().map(res -> reservations(o, label, res));
            default -> Optional.empty(); // the cluster is not asked for the others
        };
    }

    private static FormOption partitions(ProfileOption o, String label, List<PartitionOffer> offered) {
        Map<String, String> site = siteLabels(o);
        List<FormOption.OptionValue> items = offered.stream().filter(p -> site.isEmpty() || site.containsKey(p.name()))
                .map(p -> new FormOption.OptionValue(p.name(), OfferWords.partition(site.getOrDefault(p.name(), p.name()), p),
                        p.up()))
                .toList();
        String value = o.defaultValue().filter(d -> items.stream().anyMatch(i -> i.selectable() && i.value().equals(d)))
                .orElseGet(() -> items.stream().filter(FormOption.OptionValue::selectable).map(FormOption.OptionValue::value)
                        .findFirst().orElse(""));
        return live(o, label, value, items);
    }

    private static FormOption accounts(ProfileOption o, String label, List<String> offered, Optional<String> usual) {
        Map<String, String> site = siteLabels(o);
        List<String> allowed = offered.stream().filter(a -> site.isEmpty() || site.containsKey(a)).toList();
        String value = o.defaultValue().or(() -> usual).filter(allowed::contains).orElse("");
        List<FormOption.OptionValue> items = new ArrayList<>();
        if (value.isEmpty()) {
            items.add(none(o.name()));
        } else {
            items.add(new FormOption.OptionValue(value, site.getOrDefault(value, value), true));
        }
        allowed.stream().filter(a -> !a.equals(value))
                .forEach(a -> items.add(new FormOption.OptionValue(a, site.getOrDefault(a, a), true)));
        return live(o, label, value, items);
    }

    private static FormOption reservations(ProfileOption o, String label, List<ReservationOffer> offered) {
        Map<String, String> site = siteLabels(o);
        List<FormOption.OptionValue> items = new ArrayList<>();
        items.add(none(o.name()));
        offered.stream().filter(r -> site.isEmpty() || site.containsKey(r.name()))
                .forEach(r -> items.add(new FormOption.OptionValue(r.name(), OfferWords.reservation(r), true)));
        String value = o.defaultValue().filter(d -> items.stream().anyMatch(i -> i.value().equals(d))).orElse("");
        return live(o, label, value, items);
    }

    private static FormOption live(ProfileOption o, String label, String value, List<FormOption.OptionValue> items) {
        return new FormOption(o.key(), FormOption.CHOICE, label, o.description(), value, null, null, items, true, true);
    }

    private static FormOption environment(Profile p, ProfileOption o, String label) {
        List<FormOption.OptionValue> items = p.environments().stream()
                .map(e -> new FormOption.OptionValue(e.key(), describe(e), true)).toList();
        String value = o.defaultValue().orElseGet(() -> items.isEmpty() ? "" : items.get(0).value());
        return new FormOption(o.key(), FormOption.CHOICE, label, o.description(), value, null, null, items, false,
                false);
    }

    private static String describe(SoftwareEnvironment e) {
        return e.description().isBlank() ? e.label() : e.label() + " — " + e.description();
    }

    private static Map<String, String> siteLabels(ProfileOption o) {
        return o.choices().stream().collect(Collectors.toMap(Choice::value, Choice::label, (a, b) -> a,
                java.util.LinkedHashMap::new));
    }

    private static FormOption.OptionValue none(OptionName name) {
        return new FormOption.OptionValue("", switch (name) {
            case RESERVATION -> "No reservation";
            case ACCOUNT -> "Your default account";
            default -> "The cluster's default";
        }, true);
    }

    private static String label(ProfileOption o) {
        String base = o.label().isBlank() ? o.name().defaultLabel() : o.label();
        return switch (o.name()) {
            case TIME -> base + " (minutes, or H:MM:SS)";
            case MEMORY -> o.fixed() ? base : base + " (MiB)";
            default -> base;
        };
    }

    private static String limits(OptionName name, Long min, Long max) {
        Function<Long, String> words = name == OptionName.TIME ? OfferWords::minutes : String::valueOf;
        if (min != null && max != null) {
            return "From " + words.apply(min) + " to " + words.apply(max) + ".";
        }
        return min != null ? "At least " + words.apply(min) + "." : "At most " + words.apply(max) + ".";
    }

    private static String help(String first, String second) {
        return first.isBlank() ? second : second.isBlank() ? first : first + " " + second;
    }
}
