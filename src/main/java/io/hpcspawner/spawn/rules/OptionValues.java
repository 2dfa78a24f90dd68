package io.hpcspawner.spawn.rules;

import io.hpcspawner.spawn.model.OptionName;
import java.util.EnumSet;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the values of the options that are numbers are written, in requests and in the site's
 * configuration alike: time in minutes or Slurm's {@code H:MM:SS} / {@code MM:SS}, memory in MiB or
 * with a unit ({@code 512M}, {@code 8G}, {@code 1T}), nodes, CPUs and GPUs as whole counts.
 */
public final class OptionValues {

    /** The options whose values are numbers (a range of them), not names. */
    public static final Set<OptionName> NUMBERS = EnumSet.of(OptionName.TIME, OptionName.NODES, OptionName.CPUS,
            OptionName.MEMORY, OptionName.GPUS);

    private static final Pattern COUNT = Pattern.compile("\\d{1,9}");
    private static final Pattern HMS = Pattern.compile("(?:(\\d{1,3}):)?(\\d{1,2}):(\\d{2})");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})([KMGT]?)");

    private OptionValues() {
    }

    /** Whether {@code name} takes a number (time, nodes, cpus, memory, gpus). */
    public static boolean isNumber(OptionName name) {
        return NUMBERS.contains(name);
    }

    /** The value in the option's unit (minutes, MiB, a count), or empty when it is not written as one. */
    public static OptionalLong parse(OptionName name, String text) {
        return switch (name) {
            case TIME -> minutes(text);
            case MEMORY -> mebibytes(text);
            default -> COUNT.matcher(text).matches() ? OptionalLong.of(Long.parseLong(text)) : OptionalLong.empty();
        };
    }

    /** How a value of the option is written, for messages, e.g. "minutes (e.g. 60) or H:MM:SS". */
    public static String form(OptionName name) {
        return switch (name) {
            case TIME -> "minutes (e.g. 60) or H:MM:SS";
            case MEMORY -> "MiB (e.g. 4096) or a size with a unit (e.g. 8G)";
            default -> "a whole number";
        };
    }

    /** A value in the option's unit as messages write it, e.g. "1 minute", "30 minutes", "4096 MiB", "4". */
    public static String amount(OptionName name, long value) {
        return switch (name) {
            case TIME -> value + (value == 1 ? " minute" : " minutes");
            case MEMORY -> value + " MiB";
            default -> Long.toString(value);
        };
    }

    private static OptionalLong minutes(String text) {
        if (text.matches("\\d{1,6}")) {
            return OptionalLong.of(Long.parseLong(text));
        }
        Matcher hms = HMS.matcher(text);
        if (!hms.matches()) {
            return OptionalLong.empty();
        }
        long h = hms.group(1) == null ? 0 : Long.parseLong(hms.group(1));
        long m = Long.parseLong(hms.group(2));
        long s = Long.parseLong(hms.group(3));
        return OptionalLong.of(h * 60 + m + (s > 0 ? 1 : 0));
    }

    private static OptionalLong mebibytes(String text) {
        Matcher size = SIZE.matcher(text.toUpperCase(Locale.ROOT));
        if (!size.matches()) {
            return OptionalLong.empty();
        }
        long n = Long.parseLong(size.group(1));
        return OptionalLong.of(switch (size.group(2)) {
            case "K" -> (n + 1023) / 1024;
            case "G" -> n * 1024;
            case "T" -> n * 1024 * 1024;
            default -> n;
        });
    }
}
