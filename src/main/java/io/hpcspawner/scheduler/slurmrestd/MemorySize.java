package io.hpcspawner.scheduler.slurmrestd;

import java.util.Locale;

/** Converts Slurm memory sizes ({@code 512}, {@code 8G}) to the megabytes slurmrestd wants. */
final class MemorySize {

    private MemorySize() {
    }

    static long toMegabytes(String size) {
        String s = size.trim().toUpperCase(Locale.ROOT);
        char last = s.charAt(s.length() - 1);
        if (Character.isDigit(last)) {
            return Long.parseLong(s);
        }
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (last) {
            case 'K' -> Math.max(1, n / 1024);
            case 'G' -> n * 1024;
            case 'T' -> n * 1024 * 1024;
            default -> n;
        };
    }
}
