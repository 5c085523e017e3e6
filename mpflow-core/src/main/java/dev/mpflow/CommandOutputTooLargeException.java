package dev.mpflow;

/** Thrown in a worker when a {@link CommandAgent}'s program prints more to standard output than its limit. */
public class CommandOutputTooLargeException extends MpflowException {
    private static final long serialVersionUID = 1L;

    public CommandOutputTooLargeException(String agent, long limitBytes) {
        super("agent " + agent + ": the program printed more than " + limitBytes
                + " bytes to standard output (the result's limit); it was stopped");
    }
}
