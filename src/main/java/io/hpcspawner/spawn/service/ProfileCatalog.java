package io.hpcspawner.spawn.service;

import io.hpcspawner.spawn.model.InvalidRequestException;
import io.hpcspawner.spawn.model.LaunchPlan;
import io.hpcspawner.spawn.model.Profile;
import io.hpcspawner.spawn.model.Profiles;
import io.hpcspawner.spawn.model.SystemSettings;
import io.hpcspawner.spawn.model.Systems;
import io.hpcspawner.spawn.model.Names;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The site's profiles and the rules for what a user may choose. Turns the options a user sent
 * into a {@link LaunchPlan} or rejects them naming the field and the allowed values.
 */
@ApplicationScoped
public class ProfileCatalog {

    static final Set<String> KNOWN_OPTIONS = Set.of("profile", "cpus", "time", "account");
    private static final Pattern ACCOUNT = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern HMS = Pattern.compile("(?:(\\d{1,3}):)?(\\d{1,2}):(\\d{2})");

    private final Profiles profiles;
    private final Systems systems;

    public ProfileCatalog(Profiles profiles, Systems systems) {
        this.profiles = profiles;
        this.systems = systems;
    }

    /** Profiles in a stable order (by key). */
    public Map<String, Profile> profiles() {
        return profiles.byKey();
    }

    public String defaultProfile() {
        return profiles().keySet().iterator().next();
    }


    /** Validates the user's options; values may be strings, numbers, or one-element lists (form data). */

    public LaunchPlan plan(String user, Map<String, Object> rawOptions) {
        Map<String, String> options = normalise(rawOptions == null ? Map.of() : rawOptions);
        String profileKey = options.getOrDefault("profile", "");
        if (profileKey.isEmpty()) {
            profileKey = defaultProfile(); // the form preselects it too
        }
        Profile p = profiles.find(profileKey).orElse(null);
        if (p == null) {
            throw invalid("profile", "unknown profile \"" + profileKey + "\"; choose one of "
                    + String.join(", ", profiles().keySet()));
        }
        int cpus = p.cpus();
        if (options.containsKey("cpus") && !options.get("cpus").isEmpty()) {
            cpus = wholeNumber("cpus", options.get("cpus"), 1, p.maxCpus());
        }
        int time = p.timeLimitMinutes();
        if (options.containsKey("time") && !options.get("time").isEmpty()) {
            time = minutes(options.get("time"), p.maxTimeLimitMinutes());
        }
        Optional<String> account = p.account();
        String askedAccount = options.getOrDefault("account", "");
        if (!askedAccount.isEmpty()) {
            if (p.account().isPresent() && !p.account().get().equals(askedAccount)) {
                throw invalid("account", "profile " + profileKey + " always charges account " + p.account().get()
                        + "; leave account empty");
            }
            if (!ACCOUNT.matcher(askedAccount).matches()) {
                throw invalid("account", "account must be 1-64 characters from A-Z a-z 0-9 _ . -, got \""
                        + printable(askedAccount) + "\"");
            }
            account = Optional.of(askedAccount);
        }
        SystemSettings system = systems.get(p.system());
        String unixUser = system.unixUser().replace("{user}", user);
        Map<String, String> chosen = new LinkedHashMap<>();
        chosen.put("profile", profileKey);
        chosen.put("cpus", Integer.toString(cpus));
        chosen.put("time", Integer.toString(time));
        account.ifPresent(a -> chosen.put("account", a));
        String workdir = system.workingDirectory().replace("{user}", unixUser);
        return new LaunchPlan(profileKey, p.system(), unixUser, workdir, p.partition(), cpus, p.memory(), time, account,
                p.sbatchOptions(), chosen, p.startTimeout());
    }

    private static Map<String, String> normalise(Map<String, Object> raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : raw.entrySet()) {
            String key = e.getKey();
            if (!KNOWN_OPTIONS.contains(key)) {
                List<String> known = new ArrayList<>(KNOWN_OPTIONS);
                known.sort(null);
                throw invalid(printable(key), "unknown option \"" + printable(key) + "\"; known options: "
                        + String.join(", ", known));
            }
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

    private static int wholeNumber(String field, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw invalid(field, field + " must be a whole number from " + min + " to " + max + ", got \""
                + printable(value) + "\"");
    }

    /** Accepts minutes ("90") or Slurm-style H:MM:SS / MM:SS. */
    private static int minutes(String value, int max) {
        int m = -1;
        if (value.matches("\\d{1,6}")) {
            m = Integer.parseInt(value);
        } else {
            Matcher hms = HMS.matcher(value);
            if (hms.matches()) {
                int h = hms.group(1) == null ? 0 : Integer.parseInt(hms.group(1));
                int mm = Integer.parseInt(hms.group(2));
                int ss = Integer.parseInt(hms.group(3));
                m = h * 60 + mm + (ss > 0 ? 1 : 0);
            }
        }
        if (m < 1 || m > max) {
            throw invalid("time", "time must be minutes (e.g. 60) or H:MM:SS from 1 minute to " + max
                    + " minutes, got \"" + printable(value) + "\"");
        }
        return m;
    }

    private static String printable(String s) {
        return Names.printable(s);
    }

    private static InvalidRequestException invalid(String field, String message) {
        return new InvalidRequestException("invalid_option", "options." + field, message);
    }
}
