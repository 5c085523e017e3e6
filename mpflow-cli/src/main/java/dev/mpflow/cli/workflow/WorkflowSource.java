package dev.mpflow.cli.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The workflow file being loaded: the path as given, for messages, and its directory, for relative paths. Its
 * bytes are read once, for parsing and for the definition's hash alike: the file may be a pipe
 * ({@code <(...)}), which gives them only once.
 */
final class WorkflowSource {
    private final Path given;
    private final Path absolute;
    private byte[] content;

    WorkflowSource(Path given) {
        this.given = given;
        this.absolute = given.toAbsolutePath().normalize();
    }

    /** The file's bytes, read the first time they are asked for. */
    byte[] content() throws IOException {
        if (content == null) {
            content = Files.readAllBytes(given);
        }
        return content;
    }

    /** The bytes {@link #content()} read; empty if it was never asked. */
    byte[] contentRead() {
        return content != null ? content : new byte[0];
    }

    /** The path as the caller gave it. */
    Path given() {
        return given;
    }

    /** The absolute, normalized path of the file. */
    Path absolute() {
        return absolute;
    }

    /**
     * The directory that relative paths in the file are relative to: the file's, or the working directory for a
     * file that is a descriptor ({@code <(...)} gives {@code /dev/fd/63}), whose directory means nothing.
     */
    Path directory() {
        String text = given.toString();
        if (text.startsWith("/dev/fd/") || text.startsWith("/proc/self/fd/") || text.equals("/dev/stdin")) {
            return Path.of("").toAbsolutePath();
        }
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
