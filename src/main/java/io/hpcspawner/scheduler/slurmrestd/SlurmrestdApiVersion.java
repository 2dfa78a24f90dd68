package io.hpcspawner.scheduler.slurmrestd;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The slurmrestd API versions this adapter speaks, oldest first, each with its {@link SlurmrestdDialect}.
 * v0.0.38 is Slurm 22.05's (removed in 24.05); v0.0.40 to v0.0.42 are the data_parser versions of
 * Slurm 23.11 to 25.05. A later version whose wire format matches is one more constant here, with
 * its {@link DataParserDialect.Differences}.
 */
public enum SlurmrestdApiVersion {
    V0_0_38("v0.0.38", v -> new V0038Dialect()),
    V0_0_40("v0.0.40", v -> new DataParserDialect(v, DataParserDialect.Differences.V0_0_40)),
    V0_0_41("v0.0.41", v -> new DataParserDialect(v, DataParserDialect.Differences.V0_0_40)),
    V0_0_42("v0.0.42", v -> new DataParserDialect(v, DataParserDialect.Differences.V0_0_42));

    private final String wireName;
    private final Function<SlurmrestdApiVersion, SlurmrestdDialect> dialect;

    SlurmrestdApiVersion(String wireName, Function<SlurmrestdApiVersion, SlurmrestdDialect> dialect) {
        this.wireName = wireName;
        this.dialect = dialect;
    }

    /** The name in slurmrestd's paths, e.g. {@code v0.0.42}. */
    public String wireName() {
        return wireName;
    }

    SlurmrestdDialect dialect() {
        return dialect.apply(this);
    }

    /** The version named {@code v0.0.NN}, if this adapter speaks it. */
    public static Optional<SlurmrestdApiVersion> of(String wireName) {
        return Arrays.stream(values()).filter(v -> v.wireName.equals(wireName)).findFirst();
    }

    /** Every supported version's name, oldest first. */
    public static List<String> wireNames() {
        return Arrays.stream(values()).map(SlurmrestdApiVersion::wireName).toList();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
