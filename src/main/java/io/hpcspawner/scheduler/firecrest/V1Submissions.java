package io.hpcspawner.scheduler.firecrest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hpcspawner.spawn.port.JobSubmission;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Fits a {@link JobSubmission} to FirecREST v1's {@code POST /compute/jobs/upload}, which has
 * only three fields ({@code file}, {@code account}, {@code env}) and runs
 * {@code sbatch --export='ALL,K=V,...' --chdir=<its own task directory> -- <script>}.
 * <ul>
 * <li>The job name and output path travel as the script's {@code #SBATCH} lines, which the
 * service renders already.</li>
 * <li>The working directory: a command-line {@code --chdir} beats {@code #SBATCH --chdir}, so a
 * {@code cd} to it is put after the script's leading {@code #SBATCH}/comment block.</li>
 * <li>The environment: values are joined with commas into {@code --export} (a comma splits a
 * value), single-quoted (a quote breaks out), and FirecREST's certificator refuses commands with
 * {@code | < > ; " \ ( ) & `} or control characters. Any value outside the safe set therefore
 * travels base64-encoded as {@code HPCSPAWNER_B64_<NAME>}, the convention the service's batch
 * script already decodes.</li>
 * </ul>
 */
final class V1Submissions {

    /** The service's transport convention for mangled values (see the batch script template). */
    static final String B64_PREFIX = "HPCSPAWNER_B64_";

    /** Printable ASCII without the characters the v1 transport breaks on. */
    private static final Pattern SAFE_VALUE = Pattern.compile("[\\x20-\\x7e&&[^,'\"\\\\`$|<>;&()]]*");

    private V1Submissions() {
    }

    /** The script with a {@code cd} to the working directory after its leading comment block. */
    static String script(JobSubmission r) {
        String script = r.script();
        String cd = "cd " + shellQuote(r.workingDirectory()) + " || exit 1\n";
        int at = 0;
        while (at < script.length()) {
            int end = script.indexOf('\n', at);
            String line = (end < 0 ? script.substring(at) : script.substring(at, end)).trim();
            if (!line.isEmpty() && !line.startsWith("#")) {
                break;
            }
            if (end < 0) {
                return script + "\n" + cd;
            }
            at = end + 1;
        }
        return script.substring(0, at) + cd + script.substring(at);
    }

    /** The {@code env} field: a JSON object serialised to a string, unsafe values base64-encoded. */
    static String environment(Map<String, String> env, ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        env.forEach((name, value) -> {
            if (SAFE_VALUE.matcher(value).matches()) {
                o.put(name, value);
            } else {
                o.put(B64_PREFIX + name,
                        Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
            }
        });
        return o.toString();
    }

    /** A file name FirecREST keeps as is (it sanitises names): the job name's safe characters. */
    static String fileName(String jobName) {
        String safe = jobName.replaceAll("[^A-Za-z0-9._-]", "_");
        return (safe.isEmpty() ? "job" : safe) + ".sh";
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
