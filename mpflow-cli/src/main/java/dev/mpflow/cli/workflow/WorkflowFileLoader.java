package dev.mpflow.cli.workflow;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Loads workflow files. Everything is checked at load time, before anything runs: the YAML itself, the type and
 * range of every field, unknown fields (with a suggestion for a misspelt one), durations, duplicate agent and task
 * names, that every command agent's program can be found, that inputs files and glob directories exist, and that
 * every {@code ${env.NAME}} is set. A problem is reported with the secrets read so far masked
 * ({@link WorkflowDefinition#secrets()}), since the message may quote a value that holds one.
 */
public final class WorkflowFileLoader {
    private WorkflowFileLoader() {
    }

    /**
     * Reads and validates the workflow file {@code file}.
     *
     * @throws WorkflowFileException when the file is missing, is not valid YAML, or describes an invalid workflow;
     *                               its message names the file (as given), the line and the field
     */
    public static WorkflowDefinition load(Path file) throws WorkflowFileException {
        return load(file, Interpolator.system(), Programs.system());
    }

    static WorkflowDefinition load(Path file, Interpolator interpolator, Programs programs)
            throws WorkflowFileException {
        Objects.requireNonNull(file, "file");
        WorkflowSource source = new WorkflowSource(file);
        YamlNode.Mapping root = YamlReader.read(source);
        DefinitionReader reader = new DefinitionReader(source, interpolator, programs);
        try {
            return reader.read(root);
        } catch (WorkflowFileException e) {
            throw e.masked(reader.secretsSoFar());
        }
    }

    /** The file's name without a {@code .yaml} or {@code .yml} extension. */
    static String defaultName(Path file) {
        Path fileName = file.getFileName();
        String name = fileName == null ? "workflow" : fileName.toString();
        String lower = name.toLowerCase(Locale.ROOT);
        for (String extension : new String[] {".yaml", ".yml"}) {
            if (lower.endsWith(extension) && name.length() > extension.length()) {
                return name.substring(0, name.length() - extension.length());
            }
        }
        return name;
    }
}
