package io.hpcspawner.spawn.service;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Strings a user could send in any field: valid examples, and the same with shell
 * metacharacters, quotes, newlines (a trailing one too), NUL, unicode, white space around them,
 * and 100 kB strings. Shared by the jqwik properties and the API tests (which sample it with a
 * fixed seed, as jqwik cannot drive a {@code @QuarkusTest}).
 */
public final class HostileStrings {

    /** Pieces that break shell scripts, #SBATCH lines, paths or JSON, or hide in unicode. */
    public static final List<String> PIECES = List.of(";", "|", "&", "&&", "$(touch INJECTED)", "`touch INJECTED`",
            "${HOME}", "$HOME", "'", "\"", "\\", "\n", "\r", "\r\n", "\t", " ", "\0", "#", "#SBATCH --uid=0", "*", "?",
            "~", "!", "%", "%j", "/", "..", "=", ",", "<", ">", "--", "-", "é", "\u00a0", "\u202e", "\uD83D\uDE00",
            "\u2028", "\u0663", "\uFEFF", "\u0085", "\u0000x");

    static final int HUGE = 100 * 1000;

    private HostileStrings() {
    }

    /** Valid examples and hostile variants of them, about a third of them valid. */
    public static Arbitrary<String> around(List<String> valid) {
        Arbitrary<String> ok = Arbitraries.of(valid);
        Arbitrary<String> piece = Arbitraries.of(PIECES);
        Arbitrary<String> inserted = Combinators.combine(ok, piece, Arbitraries.integers().between(0, 64))
                .as((v, p, at) -> v.substring(0, Math.min(at, v.length())) + p + v.substring(Math.min(at, v.length())));
        Arbitrary<String> jumble = Combinators.combine(piece.list().ofMinSize(1).ofMaxSize(4),
                Arbitraries.strings().alpha().numeric().ofMaxLength(6)).as((ps, s) -> String.join(s, ps));
        return Arbitraries.frequencyOf(
                Tuple.of(6, ok),
                Tuple.of(3, Combinators.combine(ok, piece).as((v, p) -> v + p)),
                Tuple.of(2, Combinators.combine(piece, ok).as((p, v) -> p + v)),
                Tuple.of(3, inserted),
                Tuple.of(2, jumble),
                Tuple.of(2, ok.map(v -> v + "\n")),
                Tuple.of(2, Combinators.combine(Arbitraries.of(" ", "\t", "  "), ok).as((w, v) -> w + v + w)),
                Tuple.of(1, ok.map(v -> v + "x".repeat(HUGE))),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(12)));
    }

    /** Each valid example with each piece before, inside and after it, and a 100 kB one: no randomness. */
    public static List<String> variants(List<String> valid) {
        List<String> out = new ArrayList<>(valid);
        for (String v : valid.subList(0, Math.min(2, valid.size()))) {
            for (String p : PIECES) {
                out.add(v + p);
                out.add(p + v);
                out.add(v.substring(0, v.length() / 2) + p + v.substring(v.length() / 2));
            }
            out.add(" " + v + " ");
            out.add(v + "x".repeat(HUGE));
        }
        return out;
    }

    /**
     * {@code n} samples of {@code arbitrary}, the same for the same seed, for tests jqwik does not
     * run: it seeds jqwik's per-thread source of randomness, which {@link Arbitrary#sampleStream()} uses.
     */
    public static List<String> sample(Arbitrary<String> arbitrary, long seed, int n) {
        net.jqwik.engine.SourceOfRandomness.create(Long.toString(seed));
        return arbitrary.sampleStream().limit(n).toList();
    }
}
