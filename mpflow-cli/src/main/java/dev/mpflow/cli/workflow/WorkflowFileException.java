package dev.mpflow.cli.workflow;

import dev.mpflow.Secrets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A workflow file that cannot be used: missing, malformed or invalid. The message is one line of the form
 * {@code <file>:<line>: <field>: <problem>}, such as {@code wf.yaml:3: maxWorkers: must be a whole number of at
 * least 1, was 0}; {@code :<line>} is left out when the line is unknown and {@code <field>: } when the problem is
 * not about one field.
 */
public final class WorkflowFileException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final int line;
    private final String field;
    private final String problem;

    WorkflowFileException(Path file, int line, String field, String problem) {
        this(file, line, field, problem, null);
    }

    WorkflowFileException(Path file, int line, String field, String problem, Throwable cause) {
        super(format(file, line, field, problem), cause);
        this.file = Objects.requireNonNull(file, "file");
        this.line = Math.max(line, 0);
        this.field = field == null ? "" : field;
        this.problem = Objects.requireNonNull(problem, "problem");
    }

    private static String format(Path file, int line, String field, String problem) {
        StringBuilder sb = new StringBuilder().append(file);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (field != null && !field.isEmpty()) {
            sb.append(field).append(": ");
        }
        return sb.append(problem).toString();
    }

    /** This problem with {@code secrets} masked in it; itself when it shows none. */
    WorkflowFileException masked(Secrets secrets) {
        String masked = secrets.mask(problem);
        if (masked.equals(problem)) {
            return this;
        }
        WorkflowFileException e = new WorkflowFileException(file, line, field, masked, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The workflow file, as the caller gave it to {@link WorkflowFileLoader#load}. */
    public Path file() {
        return file;
    }

    /** The line of the file the problem is on, counting from 1; 0 when unknown. */
    public int line() {
        return line;
    }

    /**
     * The field at fault, as a path such as {@code maxWorkers}, {@code agents[1].command} or
     * {@code tasks[0].glob}; empty when the problem is not about one field.
     */
    public String field() {
        return field;
    }

    /** The problem alone, without the file, line and field. */
    public String problem() {
        return problem;
    }
}
