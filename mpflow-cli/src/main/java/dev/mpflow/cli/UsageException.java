package dev.mpflow.cli;

/**
 * A user mistake found before anything runs: printed as one line, {@code mpflow: <message>}, with exit code 2.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
