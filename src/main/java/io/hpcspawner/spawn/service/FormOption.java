package io.hpcspawner.spawn.service;

import java.util.List;

/**
 * One option of one profile as the options form shows it (and as the form's JSON tells API users
 * building their own form): what kind of field it is, its words, its default and what may be
 * chosen, with the cluster's live data already applied.
 *
 * @param key the option's key; the form field is named {@code <profile>.<key>}
 * @param kind {@code fixed} (shown, not changeable), {@code choice} (one of {@code choices}),
 *        {@code range} (a whole number from {@code min} to {@code max}), {@code duration} (minutes
 *        from {@code min} to {@code max}, or H:MM:SS) or {@code text} (free text the create checks)
 * @param label what the field is called, with its unit
 * @param help one line under the field: the site's description, the limits, what the cluster said
 * @param defaultValue the value preselected (for {@code fixed}: the value); empty: none
 * @param min the smallest value of a range or duration, null otherwise
 * @param max the largest value of a range or duration, null otherwise
 * @param choices the values of a choice in the order shown; empty otherwise
 * @param fromCluster whether the allowed values come from the cluster
 * @param clusterAnswered whether the cluster told them now (false: the site's own rules only)
 */
public record FormOption(String key, String kind, String label, String help, String defaultValue, Long min, Long max,
        List<OptionValue> choices, boolean fromCluster, boolean clusterAnswered) {

    /** A fixed value: shown, not changeable. */
    public static final String FIXED = "fixed";
    /** One of the listed values. */
    public static final String CHOICE = "choice";
    /** A whole number within limits. */
    public static final String RANGE = "range";
    /** A wall time in minutes within limits, or H:MM:SS. */
    public static final String DURATION = "duration";
    /** Free text, checked on create. */
    public static final String TEXT = "text";

    public FormOption {
        choices = List.copyOf(choices);
    }

    /**
     * One value of a choice.
     *
     * @param value what the form sends
     * @param label what the user reads
     * @param selectable false for a value the cluster would refuse now (e.g. a partition that is down)
     */
    public record OptionValue(String value, String label, boolean selectable) {
    }

    /** Whether the field has a lower limit (the template asks: Qute takes 0 for false). */
    public boolean hasMin() {
        return min != null;
    }

    /** Whether the field has an upper limit. */
    public boolean hasMax() {
        return max != null;
    }
}
