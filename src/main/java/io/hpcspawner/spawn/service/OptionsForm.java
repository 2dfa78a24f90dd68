package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.Profile;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;

/** The options form a user sees on the hub's spawn page, built from the site's profiles. */
@ApplicationScoped
public class OptionsForm {

    /** One profile as the form shows it. */
    public record ProfileChoice(String key, String displayName, String description, String system, String partition,
            int cpus, int maxCpus, int timeLimitMinutes, int maxTimeLimitMinutes, String memory, boolean accountFixed,
            boolean first, long queueTimeoutSeconds) {
    }

    private final ProfileCatalog catalog;
    private final Template template;

    public OptionsForm(ProfileCatalog catalog, @Location("options-form.html") Template template) {
        this.catalog = catalog;
        this.template = template;
    }

    public List<ProfileChoice> choices() {
        List<ProfileChoice> out = new ArrayList<>();
        for (Profile p : catalog.profiles().values()) {
            out.add(new ProfileChoice(p.key(), p.displayName(), p.description(), p.system(), p.partition(), p.cpus(),
                    p.maxCpus(), p.timeLimitMinutes(), p.maxTimeLimitMinutes(), p.memory().orElse(null),
                    p.account().isPresent(), out.isEmpty(), p.startTimeout().toSeconds()));
        }
        return out;
    }

    /** The form's HTML for {@code user}; values are HTML-escaped by the template engine. */
    public String html(String user) {
        return template.data("user", user).data("profiles", choices()).render();
    }
}
