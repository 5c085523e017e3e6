package dev.mpflow.fault;

/**
 * The template from which {@link FaultyTasks#throwWorkerOnlyException} makes, inside a worker, an exception class
 * that exists nowhere else: its bytes are copied with the class name changed and defined in a class loader of the
 * worker's own. Never thrown as itself.
 */
public class GhostTemplateException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GhostTemplateException(String message) {
        super(message);
    }
}
