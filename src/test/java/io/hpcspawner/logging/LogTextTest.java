package io.hpcspawner.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.Test;

/** Text a user chose stays on one log line. */
class LogTextTest {

    @Test
    void lineBreaksAndTerminalControlsAreEscaped() {
        assertThat(LogText.escape("a\nb\r\nc\td")).isEqualTo("a\\nb\\r\\nc\\td");
        assertThat(LogText.escape("nul\0 esc\u001b[31m del\u007f")).isEqualTo("nul\\u0000 esc\\u001b[31m del\\u007f");
        assertThat(LogText.escape("nel\u0085 csi\u009b ls\u2028 ps\u2029")).isEqualTo("nel\\u0085 csi\\u009b ls\\u2028 ps\\u2029");
        assertThat(LogText.escape("rlo\u202e lri\u2066")).isEqualTo("rlo\\u202e lri\\u2066");
    }

    @Test
    void plainTextIsLeftAsItIs() {
        String plain = "Server alice/gpu (id, job 42): failed: exit 1 \\n is not a newline; é 日本 😀";
        assertThat(LogText.escape(plain)).isSameAs(plain);
        assertThat(LogText.escape(null)).isNull();
    }

    @Test
    void escapingTwiceChangesNothing() {
        String once = LogText.escape("x\ny\u0085z");
        assertThat(LogText.escape(once)).isEqualTo(once);
    }

    @Test
    void theFilterEscapesTheFormattedMessageAndKeepsTheException() {
        IllegalStateException thrown = new IllegalStateException("two\nlines");
        ExtLogRecord record = new ExtLogRecord(Level.INFO, "Server %s: failed: %s", ExtLogRecord.FormatStyle.PRINTF,
                OneLinePerRecord.class.getName());
        record.setParameters(new Object[] {"bob/x", "done\n2026-01-01 00:00:00,000 INFO  [io.hpc] forged line"});
        record.setThrown(thrown);
        assertThat(new OneLinePerRecord().isLoggable(record)).isTrue();
        assertThat(record.getFormattedMessage())
                .isEqualTo("Server bob/x: failed: done\\n2026-01-01 00:00:00,000 INFO  [io.hpc] forged line");
        assertThat(record.getThrown()).isSameAs(thrown);
    }

    @Test
    void aPlainJulRecordIsEscapedToo() {
        java.util.logging.LogRecord record = new java.util.logging.LogRecord(Level.WARNING, "user {0}");
        record.setParameters(new Object[] {"eve\nINFO forged"});
        new OneLinePerRecord().isLoggable(record);
        assertThat(record.getMessage()).isEqualTo("user eve\\nINFO forged");
    }
}
