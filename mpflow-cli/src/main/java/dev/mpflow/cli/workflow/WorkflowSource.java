package dev.mpflow.cli.workflow;

import java.nio.file.Path;

/** The workflow file being loaded: the path as given, for messages, and its directory, for relative paths. */
final class WorkflowSource {
    private final Path given;
    private final Path absolute;

    WorkflowSource(Path given) {
        this.given = given;
        this.absolute = given.toAbsolutePath().normalize();
    }

    /** The path as the caller gave it. */
    Path given() {
        return given;
    }

    /** The absolute, normalized path of the file. */
    Path absolute() {
        return absolute;
    }

    /** The directory that relative paths in the file are relative to. */
    Path directory() {
        Path parent = absolute.getParent();
        return parent != null ? parent : absolute.getRoot();
    }

    /**
     * Resolves a path written in the file against its directory.
     *
     * @throws java.nio.file.InvalidPathException when the text cannot be a path
     */
    Path resolve(String path) {
        return directory().resolve(path).normalize();
    }

    WorkflowFileException error(int line, String field, String problem) {
        return new WorkflowFileException(given, line, field, problem);
    }

    WorkflowFileException error(int line, String field, String problem, Throwable cause) {
        return new WorkflowFileException(given, line, field, problem, cause);
    }
}
