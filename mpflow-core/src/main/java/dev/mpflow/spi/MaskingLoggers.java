package dev.mpflow.spi;

import dev.mpflow.internal.MaskedLogging;
import org.slf4j.Logger;

/**
 * Loggers for extensions, such as a store, whose lines are masked as mpflow's own are: every value marked secret
 * by a workflow open in this process ({@link dev.mpflow.MultiProcessWorkflow.Builder#secret(String)}) shows as
 * {@value dev.mpflow.Secrets#MASK}, whatever the line says (a path, a task's name, an error).
 */
public final class MaskingLoggers {
    private MaskingLoggers() {
    }

    /** A logger named after {@code type}, masking secrets. */
    public static Logger of(Class<?> type) {
        return MaskedLogging.logger(type);
    }
}
