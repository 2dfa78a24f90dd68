package io.hpcspawner.scheduler.slurmrestd;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The one table from a profile's {@code sbatch-options} to slurmrestd job fields. slurmrestd
 * ignores {@code #SBATCH} lines in the script, so each option must travel as a field of the job
 * description; an option not in this table cannot, and start-up refuses it ({@link #refusal}).
 * The field names and shapes per API version are the {@link JobFields} implementations'; this
 * table says which option sets what.
 *
 * <table>
 * <caption>options and fields</caption>
 * <tr><th>option</th><th>v0.0.38</th><th>v0.0.40 and later</th></tr>
 * <tr><td>--qos=Q</td><td colspan="2">qos</td></tr>
 * <tr><td>--constraint=C</td><td colspan="2">constraints</td></tr>
 * <tr><td>--reservation=R</td><td colspan="2">reservation</td></tr>
 * <tr><td>--account=A</td><td colspan="2">account</td></tr>
 * <tr><td>--licenses=L</td><td colspan="2">licenses</td></tr>
 * <tr><td>--comment=C</td><td colspan="2">comment</td></tr>
 * <tr><td>--gres=G</td><td>gres</td><td>tres_per_node (gres/G per item)</td></tr>
 * <tr><td>--gpus=N</td><td>gpus</td><td>tres_per_job (gres/gpu:N)</td></tr>
 * <tr><td>--gpus-per-node=N</td><td>gpus_per_node</td><td>tres_per_node (gres/gpu:N)</td></tr>
 * <tr><td>--nodes=N[-M]</td><td>nodes [N, M]</td><td>minimum_nodes, maximum_nodes</td></tr>
 * <tr><td>--exclusive[=user|mcs]</td><td>exclusive</td><td>shared (none, user, mcs)</td></tr>
 * <tr><td>--mem=SIZE</td><td colspan="2">memory_per_node (MB; replaces memory_per_cpu)</td></tr>
 * <tr><td>--mem-per-cpu=SIZE</td><td colspan="2">memory_per_cpu (MB; replaces memory_per_node, e.g. the profile's memory)</td></tr>
 * </table>
 */
public final class SbatchOptionFields {

    private record Mapping(String valuePattern, String example, BiConsumer<JobFields, String> apply) {
    }

    private static final String TEXT = "[A-Za-z0-9_.,:=/@+-]+";
    private static final String SIZE = "\\d+[KMGTkmgt]?";
    private static final Map<String, Mapping> TABLE = new LinkedHashMap<>();

    static {
        TABLE.put("qos", new Mapping(TEXT, "--qos=high", (f, v) -> f.text("qos", v)));
        TABLE.put("constraint", new Mapping(TEXT, "--constraint=gpu", (f, v) -> f.text("constraints", v)));
        TABLE.put("reservation", new Mapping(TEXT, "--reservation=course", (f, v) -> f.text("reservation", v)));
        TABLE.put("account", new Mapping(TEXT, "--account=proj1", (f, v) -> f.text("account", v)));
        TABLE.put("licenses", new Mapping(TEXT, "--licenses=matlab:1", (f, v) -> f.text("licenses", v)));
        TABLE.put("comment", new Mapping(TEXT, "--comment=jupyter", (f, v) -> f.text("comment", v)));
        TABLE.put("gres", new Mapping(TEXT, "--gres=gpu:1", JobFields::gresPerNode));
        TABLE.put("gpus", new Mapping("([A-Za-z0-9_-]+:)?\\d+", "--gpus=a100:2", JobFields::gpusPerJob));
        TABLE.put("gpus-per-node", new Mapping("([A-Za-z0-9_-]+:)?\\d+", "--gpus-per-node=1", JobFields::gpusPerNode));
        TABLE.put("nodes", new Mapping("\\d{1,6}(-\\d{1,6})?", "--nodes=1", (f, v) -> {
            String[] range = v.split("-");
            f.nodes(Integer.parseInt(range[0]), Integer.parseInt(range[range.length - 1]));
        }));
        TABLE.put("exclusive", new Mapping("|user|mcs", "--exclusive", JobFields::exclusive));
        // Memory per node and per CPU exclude each other (sbatch refuses both): the later one replaces the other.
        TABLE.put("mem", new Mapping(SIZE, "--mem=8G", (f, v) -> {
            f.remove("memory_per_cpu");
            f.number("memory_per_node", MemorySize.toMegabytes(v));
        }));
        TABLE.put("mem-per-cpu", new Mapping(SIZE, "--mem-per-cpu=2G", (f, v) -> {
            f.remove("memory_per_node");
            f.number("memory_per_cpu", MemorySize.toMegabytes(v));
        }));
    }

    private SbatchOptionFields() {
    }

    /** The options this table maps, e.g. {@code --qos}. */
    public static List<String> supported() {
        return TABLE.keySet().stream().map(o -> "--" + o).toList();
    }

    /**
     * Why {@code option} cannot be sent through slurmrestd, or empty when it can: an option the
     * table does not know, or a value of the wrong form for its field.
     */
    public static Optional<String> refusal(String option) {
        String[] nv = split(option);
        Mapping m = nv == null ? null : TABLE.get(nv[0]);
        if (m == null) {
            return Optional.of("\"" + option + "\" cannot be sent through slurmrestd (it ignores #SBATCH lines);"
                    + " supported: " + String.join(", ", supported()));
        }
        if (!nv[1].matches(m.valuePattern())) {
            return Optional.of("\"" + option + "\": slurmrestd takes this option only in the form " + m.example());
        }
        return Optional.empty();
    }

    /** Writes each option's field; options were checked at start-up ({@link #refusal}). */
    static void apply(List<String> options, JobFields fields) {
        for (String option : options) {
            refusal(option).ifPresent(why -> {
                throw new IllegalArgumentException(why);
            });
            String[] nv = split(option);
            TABLE.get(nv[0]).apply().accept(fields, nv[1]);
        }
    }

    /** {@code --name=value} or {@code --name} as {name, value}; null when it is neither. */
    private static String[] split(String option) {
        if (!option.startsWith("--")) {
            return null;
        }
        int eq = option.indexOf('=');
        return eq < 0 ? new String[] {option.substring(2), ""}
                : new String[] {option.substring(2, eq), option.substring(eq + 1)};
    }
}
