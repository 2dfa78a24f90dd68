package io.hpcspawner.logging;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.jboss.logmanager.handlers.ConsoleHandler;

/**
 * The console log as a test sees it: every record that passes the console handler's configured
 * filter, in a format of the test's choice (the console's own, or another the console can be set
 * to). Close it (try-with-resources or {@code @AfterEach}) to remove the handler again.
 */
final class ConsoleCapture extends ExtHandler implements AutoCloseable {

    private final List<String> written = new CopyOnWriteArrayList<>();

    private ConsoleCapture(ConsoleHandler console, Formatter format) {
        setFormatter(format == null ? console.getFormatter() : format);
        setFilter(console.getFilter());
        LogContext.getLogContext().getLogger("").addHandler(this);
    }

    /** Captures in the console's configured format ({@code format} null) or in {@code format}. */
    static ConsoleCapture start(Formatter format) {
        ConsoleHandler console = console(LogContext.getLogContext().getLogger("").getHandlers());
        if (console == null) {
            throw new IllegalStateException("no console log handler");
        }
        return new ConsoleCapture(console, format);
    }

    /** The lines written so far, each as the formatter wrote it. */
    List<String> written() {
        return List.copyOf(written);
    }

    @Override
    protected void doPublish(ExtLogRecord record) {
        written.add(getFormatter().format(record));
    }

    @Override
    public void close() {
        LogContext.getLogContext().getLogger("").removeHandler(this);
    }

    private static ConsoleHandler console(Handler[] handlers) {
        for (Handler h : handlers) {
            if (h instanceof ConsoleHandler c) {
                return c;
            }
            if (h instanceof ExtHandler ext) {
                ConsoleHandler inner = console(ext.getHandlers());
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }
}
