package io.hpcspawner.api;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what {@link ErrorMapper} logs as an unexpected failure while a test runs: a 500 the
 * client never saw (it had already gone) is still a defect.
 */
final class LoggedErrors extends Handler implements AutoCloseable {

    private final Logger logger = Logger.getLogger(ErrorMapper.class.getName());
    private final List<String> errors = new CopyOnWriteArrayList<>();

    LoggedErrors() {
        logger.addHandler(this);
    }

    List<String> errors() {
        return List.copyOf(errors);
    }

    @Override
    public void publish(LogRecord r) {
        if (r.getLevel().intValue() >= Level.SEVERE.intValue()) {
            errors.add(r.getMessage() + (r.getThrown() == null ? "" : ": " + r.getThrown()));
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
