package io.hpcspawner.logging;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Keeps every log record on one line, so that text a user chose (a job's output in a failure
 * message, a user or server name, a scheduler's error echoing user input) cannot forge log lines:
 * the formatted message of each record gets its control characters escaped ({@link LogText}),
 * whoever logged it, so no call site can forget. The same pass blanks secrets in it ({@link SecretText}).
 * Installed on the log handlers with
 * {@code quarkus.log.<handler>.filter=one-line-per-record}; it never drops a record.
 * A filter acts before the handler's format: the JSON format ({@code quarkus.log.console.json.enabled})
 * writes the escaped, redacted message too.
 *
 * <p>A record's exception is left as it is: a stack trace has many lines by nature (and the start-up
 * configuration errors, one problem per line, reach the log as the exception of "Failed to start
 * application", so they stay readable).
 */
@LoggingFilter(name = "one-line-per-record")
public final class OneLinePerRecord implements Filter {

    private static final Formatter PLAIN = new SimpleFormatter();

    @Override
    public boolean isLoggable(LogRecord record) {
        if (record instanceof ExtLogRecord ext) {
            String message = ext.getFormattedMessage();
            String escaped = LogText.escape(SecretText.redact(message));
            if (escaped != message) { // the same instance when there was nothing to escape
                ext.setMessage(escaped, ExtLogRecord.FormatStyle.NO_FORMAT);
                ext.setParameters(null);
            }
        } else if (record.getMessage() != null) {
            String message = PLAIN.formatMessage(record);
            String escaped = LogText.escape(SecretText.redact(message));
            if (escaped != message) {
                record.setMessage(escaped);
                record.setParameters(null);
                record.setResourceBundle(null);
            }
        }
        return true;
    }
}
