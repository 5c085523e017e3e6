package dev.mpflow.cli.workflow;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks that a command agent's program can be started: a program naming a path (it contains a {@code /}) must
 * be an executable file, relative to the working directory; any other must be an executable regular file in one
 * of the directories of {@code PATH}.
 */
public final class Programs {
    private final String searchPath;
    private final Path workingDirectory;
    private final List<String> extensions;

    Programs(String searchPath, Path workingDirectory, List<String> extensions) {
        this.searchPath = searchPath == null ? "" : searchPath;
        this.workingDirectory = workingDirectory;
        this.extensions = List.copyOf(extensions);
    }

    /** Looks programs up as this process would start them. */
    public static Programs system() {
        List<String> extensions = new ArrayList<>();
        extensions.add("");
        String pathExt = System.getenv("PATHEXT");
        if (pathExt != null && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
            for (String ext : pathExt.split(File.pathSeparator)) {
                if (!ext.isEmpty()) {
                    extensions.add(ext);
                }
            }
        }
        return new Programs(System.getenv("PATH"), Path.of("").toAbsolutePath(), extensions);
    }

    /** What prevents {@code program} from starting, if anything. */
    public Optional<String> problem(String program) {
        if (program.isBlank()) {
            return Optional.of("must name a program");
        }
        if (program.contains("{}")) {
            return Optional.empty(); // named by the task's input: only known when the task runs
        }
        try {
            return program.contains("/") || program.contains(File.separator) ? checkPath(program) : search(program);
        } catch (InvalidPathException e) {
            return Optional.of("program '" + program + "' is not a valid path");
        }
    }

    private Optional<String> checkPath(String program) {
        Path path = workingDirectory.resolve(program);
        if (!Files.exists(path)) {
            return Optional.of("program '" + program + "' not found");
        }
        if (Files.isDirectory(path)) {
            return Optional.of("program '" + program + "' is a directory");
        }
        if (!Files.isExecutable(path)) {
            return Optional.of("program '" + program + "' is not executable");
        }
        return Optional.empty();
    }

    private Optional<String> search(String program) {
        if (searchPath.isEmpty()) {
            return Optional.of("program '" + program + "' not found on PATH (PATH is not set)");
        }
        for (String dir : searchPath.split(File.pathSeparator, -1)) {
            Path base = dir.isEmpty() ? workingDirectory : workingDirectory.resolve(dir);
            for (String ext : extensions) {
                Path candidate = base.resolve(program + ext);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return Optional.empty();
                }
            }
        }
        return Optional.of("program '" + program + "' not found on PATH");
    }
}
