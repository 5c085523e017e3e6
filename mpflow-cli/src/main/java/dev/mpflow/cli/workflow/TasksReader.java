package dev.mpflow.cli.workflow;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the {@code tasks} list. Each item is one of three forms: a task with a {@code name} (and optionally an
 * {@code input}), an {@code inputs} file giving one task per line, or a {@code glob} giving one task per file. Any
 * form may set {@code priority} and {@code timeout}, which then apply to each of its tasks.
 */
final class TasksReader {
    static final List<String> FIELDS = List.of("name", "input", "inputs", "glob", "priority", "timeout");
    private static final List<String> FORMS = List.of("name", "inputs", "glob");

    private final WorkflowSource source;
    private final Fields top;
    /** The line of each explicitly named task's name, to report duplicates. */
    private final Map<String, Integer> nameLines = new HashMap<>();

    TasksReader(WorkflowSource source, Fields top) {
        this.source = source;
        this.top = top;
    }

    List<TaskSource> read() throws WorkflowFileException {
        List<YamlNode> items = top.list("tasks");
        List<TaskSource> sources = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            Fields task = top.element("tasks", i, items.get(i), "a mapping with name, inputs or glob");
            task.allowOnly(FIELDS);
            List<String> forms = FORMS.stream().filter(task::has).toList();
            if (forms.size() != 1) {
                throw task.error(describeForms(forms) + "; a task needs exactly one of them");
            }
            int priority = task.integer("priority").orElse(0);
            Optional<Duration> timeout = task.duration("timeout", false);
            sources.add(switch (forms.get(0)) {
                case "name" -> named(task, priority, timeout);
                case "inputs" -> inputs(task, priority, timeout);
                default -> glob(task, priority, timeout);
            });
        }
        return sources;
    }

    private TaskSource named(Fields task, int priority, Optional<Duration> timeout) throws WorkflowFileException {
        int nameLine = task.require("name").line();
        String name = task.nonEmptyText("name").orElseThrow();
        Integer first = nameLines.putIfAbsent(name, nameLine);
        if (first != null) {
            throw task.error("name", "duplicate task name '" + name + "' (first at line " + first + ")");
        }
        String input = task.text("input").orElse("");
        return new TaskSource.Single(new TaskSpec(name, input, priority, timeout));
    }

    private TaskSource inputs(Fields task, int priority, Optional<Duration> timeout) throws WorkflowFileException {
        rejectInput(task, "inputs");
        Path file = task.path("inputs").orElseThrow();
        if (!Files.exists(file)) {
            throw task.error("inputs", "file not found: " + file);
        }
        if (Files.isDirectory(file)) {
            throw task.error("inputs", "is a directory, not a file: " + file);
        }
        if (!Files.isReadable(file)) {
            throw task.error("inputs", "cannot read: " + file);
        }
        return new InputLines(file, priority, timeout);
    }

    private TaskSource glob(Fields task, int priority, Optional<Duration> timeout) throws WorkflowFileException {
        rejectInput(task, "glob");
        String glob = task.nonEmptyText("glob").orElseThrow();
        GlobPattern pattern;
        try {
            pattern = GlobPattern.parse(glob, source.directory());
        } catch (IllegalArgumentException e) {
            throw task.error("glob", e.getMessage());
        }
        if (!Files.isDirectory(pattern.base())) {
            throw task.error("glob", "no such directory: " + pattern.base());
        }
        return new GlobFiles(pattern, priority, timeout);
    }

    private static String describeForms(List<String> forms) {
        return switch (forms.size()) {
            case 0 -> "has none of name, inputs and glob";
            case 2 -> "has both " + forms.get(0) + " and " + forms.get(1);
            default -> "has " + String.join(", ", forms.subList(0, forms.size() - 1)) + " and "
                    + forms.get(forms.size() - 1);
        };
    }

    private static void rejectInput(Fields task, String form) throws WorkflowFileException {
        if (task.has("input")) {
            throw task.error("input", "only allowed with name; with " + form + ", each task's input is its "
                    + (form.equals("inputs") ? "line" : "file's path"));
        }
    }
}
