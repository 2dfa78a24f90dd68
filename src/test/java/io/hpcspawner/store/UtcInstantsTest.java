package io.hpcspawner.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** A record's times read back as written, by the quick path or by Jackson's reader for other forms. */
class UtcInstantsTest {

    private static final ObjectMapper JSON = RecordJson.mapper();

    /** Holds one time, as a record's field does. */
    static final class Stamp {
        Instant at;
    }

    private static Instant read(String text) throws Exception {
        return JSON.readValue("{\"at\":" + text + "}", Stamp.class).at;
    }

    @Property(tries = 2000)
    void everyTimeTheStoresWriteIsReadBackUnchanged(@ForAll @LongRange(min = 0, max = 253_402_300_799L) long seconds,
            @ForAll @LongRange(min = 0, max = 999_999_999) long nanos) throws Exception {
        Stamp s = new Stamp();
        s.at = Instant.ofEpochSecond(seconds, nanos);
        String written = JSON.writeValueAsString(s);

        assertThat(JSON.readValue(written, Stamp.class).at).isEqualTo(s.at);
        assertThat(UtcInstants.parse(written.substring(7, written.length() - 2))).isEqualTo(s.at);
    }

    @Test
    void otherFormsStillReadAsJacksonReadsThem() throws Exception {
        assertThat(read("\"2026-12-01T10:00:00+02:00\"")).isEqualTo(Instant.parse("2026-12-01T08:00:00Z"));
        assertThat(read("\"2026-12-01T08:00:00.5Z\"")).isEqualTo(Instant.parse("2026-12-01T08:00:00.500Z"));
        assertThat(read("1764576000")).isEqualTo(Instant.ofEpochSecond(1_764_576_000L));
        assertThat(read("null")).isNull();
    }

    @Test
    void anImpossibleDateIsStillAnError() {
        assertThat(UtcInstants.parse("2026-02-30T08:00:00Z")).isNull();
        assertThat(UtcInstants.parse("2026-12-01T24:00:00Z")).isNull();
        assertThatThrownBy(() -> read("\"2026-02-30T08:00:00Z\"")).isInstanceOf(InvalidFormatException.class);
        assertThatThrownBy(() -> read("\"yesterday\"")).isInstanceOf(InvalidFormatException.class);
    }
}
