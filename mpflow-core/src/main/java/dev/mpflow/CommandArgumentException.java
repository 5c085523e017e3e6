package dev.mpflow;

/**
 * Thrown in a worker when the value a {@link CommandAgent} would put in its program's arguments (for {@code {}})
 * holds a NUL byte, which no program argument can hold. Never retried: every attempt would fail the same way.
 */
public class CommandArgumentException extends MpflowException {
    private static final long serialVersionUID = 1L;

    public CommandArgumentException(String agent) {
        super("agent " + agent + ": the value for {} holds a NUL byte, which no program argument can hold; a "
                + "command without {} gets the value on standard input, which may");
    }
}
