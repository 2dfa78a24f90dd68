package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.ClusterOffer;
import io.hpcspawner.spawn.model.OptionName;
import io.hpcspawner.spawn.model.Profile;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The options form a user sees on the hub's spawn page: the systems first (one section each, a
 * system that does not answer shown unavailable with the reason), under each the profiles open to
 * the user's groups, under each profile its options with the cluster's live data applied. Every
 * profile's fields are in the page at once, named {@code <profile>.<option>}, so that the form
 * works without JavaScript.
 */
@ApplicationScoped
public class OptionsForm {

    /**
     * One profile as the form shows it.
     *
     * @param available false when its system does not answer now (the profile cannot be chosen)
     * @param first whether it is the profile preselected (the first one that can be chosen)
     * @param classic whether it offers only the classic cpus, time and account (shown as always)
     * @param options its fields, in the order shown
     */
    public record ProfileChoice(String key, String displayName, String description, String system, String partition,
            int cpus, int maxCpus, int timeLimitMinutes, int maxTimeLimitMinutes, String memory, boolean accountFixed,
            boolean first, long queueTimeoutSeconds, boolean available, boolean classic, List<FormOption> options) {
    }

    /**
     * Whether a system can be chosen now.
     *
     * @param name the system's key
     * @param available whether it answered
     * @param unavailableReason why not, in words for the user; empty when available
     */
    public record SystemChoice(String name, boolean available, String unavailableReason) {
    }

    /** One system's part of the form: the system and its profiles. */
    public record Section(SystemChoice system, List<ProfileChoice> profiles) {
    }

    /** The whole form for one user. */
    public record Form(List<Section> sections) {

        /** Every profile in the order shown. */
        public List<ProfileChoice> profiles() {
            return sections.stream().flatMap(s -> s.profiles().stream()).toList();
        }

        /** Every system shown, in order. */
        public List<SystemChoice> systems() {
            return sections.stream().map(Section::system).toList();
        }
    }

    private static final Set<OptionName> CLASSIC = EnumSet.of(OptionName.CPUS, OptionName.TIME, OptionName.ACCOUNT);

    private final ProfileCatalog catalog;
    private final ClusterUsers users;
    private final ClusterOffers offers;
    private final Template template;

    public OptionsForm(ProfileCatalog catalog, ClusterUsers users, ClusterOffers offers,
            @Location("options-form.html") Template template) {
        this.catalog = catalog;
        this.users = users;
        this.offers = offers;
        this.template = template;
    }

    /** The form for {@code user}, a member of {@code groups}: the profiles open to them, by system. */
    public Form form(String user, Collection<String> groups) {
        Map<String, List<Profile>> bySystem = new TreeMap<>();
        for (Profile p : catalog.profiles().values()) {
            if (p.openTo(groups)) {
                bySystem.computeIfAbsent(p.system(), s -> new ArrayList<>()).add(p);
            }
        }
        Map<String, ClusterOffer> offered = offersFor(user, bySystem.keySet());
        List<Section> sections = new ArrayList<>();
        boolean checked = false;
        for (Map.Entry<String, List<Profile>> e : bySystem.entrySet()) {
            ClusterOffer offer = offered.get(e.getKey());
            List<ProfileChoice> profiles = new ArrayList<>();
            for (Profile p : e.getValue()) {
                boolean first = !checked && offer.available();
                checked |= first;
                profiles.add(choice(p, offer, first));
            }
            sections.add(new Section(new SystemChoice(e.getKey(), offer.available(), offer.unavailableReason()),
                    profiles));
        }
        return new Form(sections);
    }

    /**
     * What each system offers the user, read side by side (a dead system costs the form at most
     * {@link ClusterOffers#PATIENCE}), each as the identity a start there runs as, so the form and the
     * create see one offer.
     */
    private Map<String, ClusterOffer> offersFor(String user, Collection<String> systemNames) {
        String clusterName = users.clusterName(user);
        Map<String, List<String>> byIdentity = new TreeMap<>();
        systemNames.forEach(s -> byIdentity.computeIfAbsent(catalog.unixUser(s, clusterName), u -> new ArrayList<>())
                .add(s));
        Map<String, ClusterOffer> offered = new HashMap<>();
        byIdentity.forEach((identity, names) -> offered.putAll(offers.offers(names, identity)));
        return offered;
    }

    /** The form's HTML; values are HTML-escaped by the template engine. */
    public String html(String user, Collection<String> groups) {
        return render(user, form(user, groups));
    }

    /** The HTML of a form already built for {@code user}. */
    public String render(String user, Form form) {
        return template.data("user", user).data("sections", form.sections()).render();
    }

    /** Whether the profile offers nothing beyond cpus, time and account (its form looks as it always has). */
    private static boolean onlyClassic(Profile p) {
        return p.options().stream().allMatch(o -> CLASSIC.contains(o.name()));
    }

    private static ProfileChoice choice(Profile p, ClusterOffer offer, boolean first) {
        return new ProfileChoice(p.key(), p.displayName(), p.description(), p.system(), p.partition(), p.cpus(),
                p.maxCpus(), p.timeLimitMinutes(), p.maxTimeLimitMinutes(), p.memory().orElse(null),
                p.account().isPresent(), first, p.startTimeout().toSeconds(), offer.available(), onlyClassic(p),
                OptionFields.of(p, offer));
    }
}
