package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ClusterOffer;
import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.SoftwareEnvironment;
import io.hpcspawner.spawn.rules.ChosenOptions;
import io.hpcspawner.spawn.rules.FormAnswers;
import io.hpcspawner.spawn.rules.OptionRules;
import io.hpcspawner.spawn.rules.OptionValues;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.Profiles;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.spawn.model.Names;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;

/**
 * The site's profiles and the rules for what a user may choose. Turns the options a user sent
 * into a {@link LaunchPlan} ({@link OptionRules}, with what the profile's system offers the user
 * now from {@link ClusterOffers}) or rejects them naming the field and the allowed values.
 */
@ApplicationScoped
public class ProfileCatalog {

    static final Set<String> KNOWN_OPTIONS = knownOptions();
    /** The options whose allowed values the cluster's offer narrows. */
    private static final Set<OptionName> LIVE = EnumSet.of(OptionName.PARTITION, OptionName.ACCOUNT,
            OptionName.RESERVATION, OptionName.TIME, OptionName.NODES);

    private final Profiles profiles;
    private final Systems systems;
    private final BiFunction<String, String, ClusterOffer> offers;

    @Inject
    public ProfileCatalog(Profiles profiles, Systems systems, ClusterOffers offers) {
        this(profiles, systems, offers::offer);
    }

    /** A catalog that knows nothing of the clusters: only the site's rules apply. */
    public ProfileCatalog(Profiles profiles, Systems systems) {
        this(profiles, systems, (system, user) -> nothingKnown(system));
    }

    private ProfileCatalog(Profiles profiles, Systems systems, BiFunction<String, String, ClusterOffer> offers) {
        this.profiles = profiles;
        this.systems = systems;
        this.offers = offers;
    }

    /** Profiles in a stable order (by key). */
    public Map<String, Profile> profiles() {
        return profiles.byKey();
    }

    public String defaultProfile() {
        return profiles().keySet().iterator().next();
    }

    /** The profiles a member of {@code groups} may see and start, in a stable order (by key). */
    public Map<String, Profile> openTo(Collection<String> groups) {
        Map<String, Profile> open = new LinkedHashMap<>();
        profiles().forEach((key, p) -> {
            if (p.openTo(groups)) {
                open.put(key, p);
            }
        });
        return open;
    }

    /** The Unix user {@code user} runs as on {@code system}. */
    public String unixUser(String system, String user) {
        return systems.get(system).unixUser().replace("{user}", user);
    }

    /** {@link #plan(String, Collection, Map)} for a caller with no groups. */
    public LaunchPlan plan(String user, Map<String, Object> rawOptions) {
        return plan(user, List.of(), rawOptions);
    }

    /**
     * Validates the user's options against the profile and what its system offers the user now;
     * values may be strings, numbers, or one-element lists (form data), named plainly or as
     * {@code <profile>.<option>} ({@link FormAnswers}). Profiles not open to {@code groups} do not
     * exist for this user.
     */
    public LaunchPlan plan(String user, Collection<String> groups, Map<String, Object> rawOptions) {
        Map<String, String> sent = normalise(rawOptions == null ? Map.of() : rawOptions);
        Map<String, Profile> open = openTo(groups);
        String profileKey = sent.getOrDefault("profile", "");
        if (profileKey.isEmpty() && !open.isEmpty()) {
            profileKey = open.keySet().iterator().next(); // the form preselects it too
        }
        Map<String, String> options = FormAnswers.forProfile(profileKey, profiles().keySet(), sent);
        requireKnown(options.keySet());
        Profile p = open.get(profileKey);
        if (p == null) {
            throw invalid("profile", "unknown profile \"" + printable(profileKey) + "\"; choose one of "
                    + String.join(", ", open.keySet()));
        }
        options.remove("profile");
        String unixUser = unixUser(p.system(), user);
        ChosenOptions chosen = OptionRules.choose(p, offerFor(p.system(), unixUser, options), options);
        SystemSettings system = systems.get(p.system());
        String workdir = system.workingDirectory().replace("{user}", unixUser);
        return new LaunchPlan(profileKey, p.system(), unixUser, workdir,
                chosen.get(OptionName.PARTITION).orElse(p.partition()),
                (int) chosen.number(OptionName.CPUS).orElse(p.cpus()), memory(p, chosen),
                (int) chosen.number(OptionName.TIME).orElse(p.timeLimitMinutes()), chosen.get(OptionName.ACCOUNT),
                sbatchOptions(p, chosen), record(profileKey, chosen), p.startTimeout(),
                chosen.environment().map(SoftwareEnvironment::prelude).orElse(List.of()));
    }

    /**
     * What the cluster offers the user, read only when the user sent a value it narrows: a start
     * that takes the defaults does not wait for the cluster (the submit meets Slurm's rules).
     */
    private ClusterOffer offerFor(String system, String unixUser, Map<String, String> options) {
        boolean narrowed = LIVE.stream().anyMatch(o -> !options.getOrDefault(o.key(), "").isEmpty());
        return narrowed ? offers.apply(system, unixUser) : nothingKnown(system);
    }

    private static ClusterOffer nothingKnown(String system) {
        return new ClusterOffer(system, true, "", Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Instant.EPOCH);
    }

    /** The profile's memory as the site wrote it, or the chosen MiB. */
    private static Optional<String> memory(Profile p, ChosenOptions chosen) {
        OptionalLong mib = chosen.number(OptionName.MEMORY);
        if (mib.isEmpty()) {
            return p.memory();
        }
        boolean theSites = p.memory().map(m -> OptionValues.parse(OptionName.MEMORY, m))
                .filter(m -> m.equals(mib)).isPresent();
        return theSites ? p.memory() : Optional.of(mib.getAsLong() + "M");
    }

    /** The profile's own options, then the user's Slurm choices, then the environment's. */
    private static List<String> sbatchOptions(Profile p, ChosenOptions chosen) {
        List<String> out = new ArrayList<>(p.sbatchOptions());
        chosen.get(OptionName.RESERVATION).ifPresent(r -> out.add("--reservation=" + r));
        chosen.get(OptionName.CONSTRAINT).ifPresent(c -> out.add("--constraint=" + c));
        chosen.get(OptionName.QOS).ifPresent(q -> out.add("--qos=" + q));
        chosen.number(OptionName.NODES).ifPresent(n -> out.add("--nodes=" + n));
        chosen.number(OptionName.GPUS).stream().filter(n -> n > 0).forEach(n -> out.add("--gpus-per-node=" + n));
        chosen.environment().ifPresent(e -> out.addAll(e.sbatchOptions()));
        return out;
    }

    private static Map<String, String> record(String profileKey, ChosenOptions chosen) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("profile", profileKey);
        chosen.values().forEach((name, value) -> out.put(name.key(), value));
        return out;
    }

    private static Set<String> knownOptions() {
        Set<String> known = new TreeSet<>();
        known.add("profile");
        for (OptionName name : OptionName.values()) {
            known.add(name.key());
        }
        return Collections.unmodifiableSet(known);
    }

    private static void requireKnown(Set<String> keys) {
        for (String key : keys) {
            if (!KNOWN_OPTIONS.contains(key)) {
                throw invalid(printable(key), "unknown option \"" + printable(key) + "\"; known options: "
                        + String.join(", ", KNOWN_OPTIONS));
            }
        }
    }

    private static Map<String, String> normalise(Map<String, Object> raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String key = e.getKey();
            Object v = e.getValue();
            if (v instanceof List<?> list) {
                if (list.size() > 1) {
                    throw invalid(key, key + " takes one value, got " + list.size());
                }
                v = list.isEmpty() ? "" : list.get(0);
            }
            if (v != null && !(v instanceof String) && !(v instanceof Number) && !(v instanceof Boolean)) {
                throw invalid(key, key + " must be a string or a number");
            }
            String s = v == null ? "" : v.toString().trim();
            if (s.length() > 128) {
                throw invalid(key, key + " is longer than 128 characters");
            }
            out.put(key, s);
        }
        return out;
    }

    private static String printable(String s) {
        return Names.printable(s);
    }

    private static InvalidRequestException invalid(String field, String message) {
        return new InvalidRequestException("invalid_option", "options." + field, message);
    }
}
