package io.hpcspawner.spawn.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.hpcspawner.spawn.model.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Issue 8's bad-input properties for the job environment: whatever value the hub sends (shell
 * metacharacters, quotes, newlines, a trailing newline, unicode, 100 kB), the export lines in the
 * script body parse in bash and give the server that value byte for byte; a NUL is refused with
 * the variable named.
 */
class JobEnvironmentPropertyTest {

    static final EnvironmentRules RULES = new EnvironmentRules(List.of("BASH_ENV", "LD_*"), List.of());

    @Provide
    Arbitrary<String> hostileValues() {
        Arbitrary<String> shell = Arbitraries.of("'", "\"", "`", "$(id)", "${HOME}", "\\", "\n", "\r", "\t", ";", "|",
                "&", "*", "?", "!", "#", "~", " ", "'\\''", "\u00e9", "\u2603", "\uD83D\uDE80", "\u202e", "\u0001", "\u007f");
        Arbitrary<String> mixed = Arbitraries.strings().withCharRange('\u0001', '\uFFFF').excludeChars('\uFFFE', '\uFFFF')
                .ofMaxLength(60);
        Arbitrary<String> pieces = Arbitraries.oneOf(shell, mixed).list().ofMaxSize(12).map(l -> String.join("", l));
        Arbitrary<String> trailingNewline = pieces.map(s -> s + "\n");
        Arbitrary<String> huge = Arbitraries.strings().alpha().numeric().ofLength(100_000);
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, pieces), net.jqwik.api.Tuple.of(3, trailingNewline),
                net.jqwik.api.Tuple.of(1, huge));
    }

    @Property(tries = 150)
    void everyAcceptedValueReachesTheServerByteForByte(@ForAll("hostileValues") String value) throws Exception {
        Map<String, String> hub = Map.of("JUPYTERHUB_VALUE", value);
        if (containsLoneSurrogate(value)) {
            // no UTF-8 form: refused rather than changed on the way
            assertThatThrownBy(() -> JobEnvironment.validate(hub, RULES)).isInstanceOf(InvalidRequestException.class);
            return;
        }
        JobEnvironment.validate(hub, RULES);
        List<String> exports = JobEnvironment.exportLines(JobEnvironment.compose(hub, Map.of()));
        String script = "#!/bin/bash\n" + String.join("\n", exports) + "\nprintf '%s' \"$JUPYTERHUB_VALUE\"\n";
        Process bash = new ProcessBuilder("/bin/bash", "-c", script).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = bash.getInputStream().readAllBytes();
        assertThat(bash.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).isZero();
        assertThat(new String(out, StandardCharsets.UTF_8)).isEqualTo(value);
    }

    @Property(tries = 50)
    void aValueWithANulIsRefusedNamingTheVariable(@ForAll("hostileValues") String before,
            @ForAll("hostileValues") String after) {
        Map<String, String> hub = new LinkedHashMap<>();
        hub.put("JUPYTERHUB_X", before + "\0" + after);
        assertThatThrownBy(() -> JobEnvironment.validate(hub, RULES)).isInstanceOf(InvalidRequestException.class)
                .satisfies(e -> assertThat(((InvalidRequestException) e).field()).isEqualTo("environment.JUPYTERHUB_X"));
    }

    static boolean containsLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return true;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }
}
