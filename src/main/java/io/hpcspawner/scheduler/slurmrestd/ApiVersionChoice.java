package io.hpcspawner.scheduler.slurmrestd;

import com.fasterxml.jackson.databind.JsonNode;
import io.hpcspawner.spawn.port.SchedulerException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Which API version one slurmrestd is spoken in: the configured one, or ({@code auto}) the highest
 * supported version among the paths of the server's {@code GET /openapi/v3} document. Discovery
 * happens on first use, not at start-up, so the service starts while slurmrestd is down; a
 * discovery that got no document (no answer, an error answer) is tried again on the next use. A
 * document that offers no supported version is final: every call then fails, not transient, with
 * what the server offers and what this service speaks. The choice is logged once at INFO.
 */
final class ApiVersionChoice {

    private static final Logger LOG = Logger.getLogger(ApiVersionChoice.class);
    private static final Pattern VERSION_PATH = Pattern.compile("^/slurm/(v\\d+\\.\\d+\\.\\d+)/");

    private final URI base;
    private volatile SlurmrestdDialect dialect;
    private volatile String refusal;

    /** A fixed version, or empty for {@code auto}. */
    ApiVersionChoice(URI base, Optional<SlurmrestdApiVersion> configured) {
        this.base = base;
        configured.ifPresent(v -> {
            dialect = v.dialect();
            LOG.infof("slurmrestd at %s: speaking API %s (configured)", base, v);
        });
    }

    /** The configured or discovered dialect; {@code openapiDocument} fetches {@code GET /openapi/v3} when needed. */
    SlurmrestdDialect dialect(Supplier<JsonNode> openapiDocument) {
        SlurmrestdDialect d = dialect;
        if (d != null) {
            return d;
        }
        synchronized (this) {
            if (dialect == null && refusal == null) {
                discover(openapiDocument.get());
            }
            if (refusal != null) {
                throw new SchedulerException(refusal, false);
            }
            return dialect;
        }
    }

    private void discover(JsonNode document) {
        List<String> offered = offered(document);
        Optional<SlurmrestdApiVersion> best = highestSupported(offered);
        if (best.isEmpty()) {
            refusal = "slurmrestd at " + base + " offers API " + (offered.isEmpty() ? "no /slurm/ version"
                    : String.join(", ", offered)) + "; this service speaks " + String.join(", ",
                            SlurmrestdApiVersion.wireNames())
                    + ": make slurmrestd serve one of these (its -d data_parser plugins) or use an hpcspawner release"
                    + " that speaks the server's";
            LOG.errorf("%s", refusal);
            return;
        }
        dialect = best.get().dialect();
        LOG.infof("slurmrestd at %s: speaking API %s (discovered; the server offers %s)", base, best.get(),
                String.join(", ", offered));
    }

    /** The versions named in a document's paths ({@code /slurm/v0.0.42/...}), sorted by version. */
    static List<String> offered(JsonNode document) {
        TreeSet<String> versions = new TreeSet<>(ApiVersionChoice::compareVersions);
        for (Iterator<String> it = document.path("paths").fieldNames(); it.hasNext();) {
            Matcher m = VERSION_PATH.matcher(it.next());
            if (m.find()) {
                versions.add(m.group(1));
            }
        }
        return new ArrayList<>(versions);
    }

    /** The highest version both offered and supported. */
    static Optional<SlurmrestdApiVersion> highestSupported(List<String> offered) {
        Optional<SlurmrestdApiVersion> best = Optional.empty();
        for (SlurmrestdApiVersion v : SlurmrestdApiVersion.values()) {
            if (offered.contains(v.wireName())) {
                best = Optional.of(v);
            }
        }
        return best;
    }

    private static int compareVersions(String a, String b) {
        String[] x = a.substring(1).split("\\.");
        String[] y = b.substring(1).split("\\.");
        for (int i = 0; i < 3; i++) {
            int c = Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
