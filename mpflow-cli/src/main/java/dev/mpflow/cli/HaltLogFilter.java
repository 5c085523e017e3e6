package dev.mpflow.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Keeps the library's own announcement that a run stops ("...: no new task starts") off standard error: the
 * command reports every stop itself, once and in its own words (the interruption line, {@code mpflow: halted:
 * <reason>} after the summary), and says nothing when a run that finished normally is closed. Shown with
 * {@code -v}, when every log line is.
 */
final class HaltLogFilter extends TurboFilter {
    private static final String RUNTIME_LOGGER = "dev.mpflow.internal.WorkflowRuntime";
    private static final String HALT_FORMAT = "{}: no new task starts";

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable t) {
        if (format != null && format.startsWith(HALT_FORMAT) && logger != null
                && RUNTIME_LOGGER.equals(logger.getName())
                && logger.getEffectiveLevel().isGreaterOrEqual(Level.WARN)) {
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }
}
