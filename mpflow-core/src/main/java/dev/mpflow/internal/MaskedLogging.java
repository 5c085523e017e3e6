package dev.mpflow.internal;

import dev.mpflow.Secrets;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;

/**
 * Loggers that mask secrets: every class of mpflow that logs takes its logger from {@link #logger(Class)}, so that
 * no log line, whatever it says (a task's name, an error, a worker's output, a path), shows a secret.
 *
 * <p>A log is shared by the whole process, so the secrets masked are those of every workflow open in it: a
 * workflow {@link #register registers} its own when it is built and {@link #unregister unregisters} them once it
 * is closed. A line's arguments, its message pattern and its exception are masked; the logger's name and the
 * pattern's placeholders stay, so that filters on them keep working. Thread-safe.
 */
public final class MaskedLogging {
    /** Every registration still open, one per workflow; a secret stays masked while any of them holds it. */
    private static final List<Secrets> registered = new ArrayList<>();
    private static volatile Secrets current = Secrets.NONE;

    private MaskedLogging() {
    }

    /** A logger named after {@code type} whose lines are masked. */
    public static Logger logger(Class<?> type) {
        return new MaskingLogger(LoggerFactory.getLogger(type));
    }

    /** Masks {@code secrets} in every log line from now on, until {@link #unregister} is called with them. */
    public static void register(Secrets secrets) {
        if (secrets.isEmpty()) {
            return;
        }
        synchronized (registered) {
            registered.add(secrets);
            current = current.and(secrets);
        }
    }

    /** Undoes one {@link #register} of {@code secrets}; the same values registered by another stay masked. */
    public static void unregister(Secrets secrets) {
        if (secrets.isEmpty()) {
            return;
        }
        synchronized (registered) {
            // By identity: each workflow removes its own registration, not an equal one of another workflow.
            for (int i = 0; i < registered.size(); i++) {
                if (registered.get(i) == secrets) {
                    registered.remove(i);
                    break;
                }
            }
            Secrets all = Secrets.NONE;
            for (Secrets s : registered) {
                all = all.and(s);
            }
            current = all;
        }
    }

    /** The secrets masked now. */
    static Secrets current() {
        return current;
    }

    /** Masks, then hands the line to the real logger. */
    private static final class MaskingLogger extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        private final transient Logger delegate;

        MaskingLogger(Logger delegate) {
            this.delegate = delegate;
            this.name = delegate.getName();
        }

        @Override
        public boolean isTraceEnabled() {
            return delegate.isTraceEnabled();
        }

        @Override
        public boolean isDebugEnabled() {
            return delegate.isDebugEnabled();
        }

        @Override
        public boolean isInfoEnabled() {
            return delegate.isInfoEnabled();
        }

        @Override
        public boolean isWarnEnabled() {
            return delegate.isWarnEnabled();
        }

        @Override
        public boolean isErrorEnabled() {
            return delegate.isErrorEnabled();
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return MaskingLogger.class.getName();
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] arguments,
                Throwable throwable) {
            Secrets secrets = current;
            int n = arguments == null ? 0 : arguments.length;
            Object[] args = new Object[n + (throwable == null ? 0 : 1)];
            for (int i = 0; i < n; i++) {
                Object a = arguments[i];
                args[i] = secrets.isEmpty() || a == null ? a : secrets.mask(String.valueOf(a));
            }
            if (throwable != null) {
                // Last, so that the real logger takes it as the line's exception, as SLF4J does.
                args[n] = secrets.isEmpty() ? throwable : MaskedThrowable.of(throwable, secrets);
            }
            String format = secrets.mask(pattern);
            switch (level) {
                case ERROR -> delegate.error(format, args);
                case WARN -> delegate.warn(format, args);
                case INFO -> delegate.info(format, args);
                case DEBUG -> delegate.debug(format, args);
                default -> delegate.trace(format, args);
            }
        }
    }

    /**
     * An exception's description and stack trace, masked: what a log prints of it. Its message starts with the
     * original's class name, since a log names the class of the exception it is given.
     */
    static final class MaskedThrowable extends Throwable {
        private static final long serialVersionUID = 1L;

        private MaskedThrowable(String message, Throwable cause) {
            super(message, cause, false, true);
        }

        static Throwable of(Throwable original, Secrets secrets) {
            return of(original, secrets, 0);
        }

        private static Throwable of(Throwable original, Secrets secrets, int depth) {
            Throwable cause = original.getCause();
            // A bound, should a cause chain loop back on itself.
            Throwable maskedCause = cause != null && cause != original && depth < 16
                    ? of(cause, secrets, depth + 1) : null;
            MaskedThrowable masked = new MaskedThrowable(secrets.mask(describe(original)), maskedCause);
            masked.setStackTrace(original.getStackTrace());
            return masked;
        }

        private static String describe(Throwable t) {
            try {
                return t.toString();
            } catch (RuntimeException e) {
                return t.getClass().getName();
            }
        }
    }
}
