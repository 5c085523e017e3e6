package dev.mpflow.store.sqlite;

import dev.mpflow.MpflowException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A store that cannot be opened for writing: its location cannot be created or written, or the file there is not
 * an mpflow store this version can use. The message is one line, {@code cannot open store <location>: <reason>};
 * {@link #reason()} is the part after the location, for callers that say themselves where the location came from
 * (the command line names the flag or the workflow file's line).
 */
public final class StoreOpenException extends MpflowException {
    private static final long serialVersionUID = 1L;

    private final transient Path location;
    private final String reason;

    StoreOpenException(Path location, String reason, Throwable cause) {
        super("cannot open store " + location + ": " + reason, cause);
        this.location = Objects.requireNonNull(location, "location");
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** The store file, absolute. */
    public Path location() {
        return location;
    }

    /** Why it cannot be opened, such as {@code it is a directory}; one line. */
    public String reason() {
        return reason;
    }
}
