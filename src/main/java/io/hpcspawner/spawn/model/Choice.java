package io.hpcspawner.spawn.model;

/**
 * One allowed value of an option, as the form lists it.
 *
 * @param value what the request carries
 * @param label what the user reads (the value when the site gives none)
 * @param description one line under it, possibly empty
 */
public record Choice(String value, String label, String description) {

    /** A choice shown as its own value. */
    public static Choice of(String value) {
        return new Choice(value, value, "");
    }
}
