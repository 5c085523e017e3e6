package dev.mpflow.cli.workflow;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An input that cannot become a task: a line of inputs, or a file a glob found. The message is one line,
 * {@code <source>:<line>: <problem>}, such as {@code stdin:3: not valid UTF-8}, {@code /data/inputs.txt:12: not
 * valid UTF-8} or {@code wf.yaml:6: tasks[1].glob: /data/f\xff.txt: the file name is not valid UTF-8, ...}.
 */
public final class InputLineException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final long line;
    private final String problem;

    InputLineException(String source, long line, String problem, IOException cause) {
        super(source + ":" + line + ": " + problem, cause);
        this.source = source;
        this.line = line;
        this.problem = problem;
    }

    /** How the inputs are named: {@code stdin}, or a file's path (the workflow file's, for a glob). */
    public String source() {
        return source;
    }

    /** The line at fault, counting from 1 (for a glob, the line of its field). */
    public long line() {
        return line;
    }

    /** The problem alone. */
    public String problem() {
        return problem;
    }
}
