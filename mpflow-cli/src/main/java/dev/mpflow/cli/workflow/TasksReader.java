package dev.mpflow.cli.workflow;

import dev.mpflow.RetrySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the {@code tasks} list. Each item is one of three forms: a task with a {@code name} (and optionally an
 * {@code input}), an {@code inputs} file giving one task per line, or a {@code glob} giving one task per file. Any
 * form may set {@code priority}, {@code timeout}, {@code retries} and a {@code retry} block, which then apply to
 * each of its tasks; its retry settings apply over those of the agent that runs its tasks (when that agent sets
 * its own) and of the workflow, and are checked against them.
 */
final class TasksReader {
    static final List<String> FIELDS = List.of("name", "input", "inputs", "glob", "priority", "timeout", "retries",
            "retry");
    private static final List<String> FORMS = List.of("name", "inputs", "glob");
    private static final String NUL_HINT = " ({} in the command); an agent without {} gets its input on standard "
            + "input, which may";

    /** What was read: where the tasks come from, and the entries that set retry settings of their own. */
    record Read(List<TaskSource> sources, List<TaskRetry> retries) {
    }

    private final WorkflowSource source;
    private final Fields top;
    private final RetrySettings workflowRetry;
    private final RetryOverrides workflowOverrides;
    private final List<AgentSpec> agents;
    private final Mode mode;
    /** The line of each explicitly named task's name, to report duplicates. */
    private final Map<String, Integer> nameLines = new HashMap<>();

    /**
     * @param workflowRetry     the workflow's retry settings from the file (the defaults where it sets none)
     * @param workflowOverrides what the file's top level sets, to say where a setting comes from in messages
     * @param agents            the agents, already read
     */
    TasksReader(WorkflowSource source, Fields top, RetrySettings workflowRetry, RetryOverrides workflowOverrides,
            List<AgentSpec> agents, Mode mode) {
        this.source = source;
        this.top = top;
        this.workflowRetry = workflowRetry;
        this.workflowOverrides = workflowOverrides;
        this.agents = agents;
        this.mode = mode;
    }

    Read read() throws WorkflowFileException {
        List<YamlNode> items = top.list("tasks");
        List<TaskSource> sources = new ArrayList<>(items.size());
        List<TaskRetry> retries = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Fields task = top.element("tasks", i, items.get(i), "a mapping with name, inputs or glob");
            task.allowOnly(FIELDS);
            List<String> forms = FORMS.stream().filter(task::has).toList();
            if (forms.size() != 1) {
                throw task.error(describeForms(forms) + "; a task needs exactly one of them");
            }
            int priority = task.integer("priority").orElse(0);
            Optional<Duration> timeout = task.duration("timeout", false);
            RetryOverrides retry = retry(task);
            if (!retry.isEmpty()) {
                retries.add(new TaskRetry(i, task.line(), retry));
            }
            sources.add(switch (forms.get(0)) {
                case "name" -> named(task, priority, timeout, retry);
                case "inputs" -> inputs(task, priority, timeout, retry);
                default -> glob(task, priority, timeout, retry);
            });
        }
        return new Read(sources, retries);
    }

    /**
     * The entry's own {@code retries} and {@code retry} block, checked against the settings they apply over: the
     * agent's own when the entry's tasks run one agent that sets them, else the workflow's.
     */
    private RetryOverrides retry(Fields task) throws WorkflowFileException {
        if (!task.has("retries") && !task.has("retry")) {
            return RetryOverrides.NONE;
        }
        Optional<AgentSpec> own = agents.stream().filter(a -> !a.retry().isEmpty()).findFirst();
        if (own.isPresent() && agents.size() > 1) {
            // Each agent of a fan-out runs the task under its own settings, but a task carries one set of them.
            throw task.error(task.has("retries") ? "retries" : "retry", "a task's own retries and retry apply over "
                    + "its agent's, and in mode: fanout its agents would need different ones: agents["
                    + agents.indexOf(own.get()) + "] at line " + own.get().line() + " sets its own; set them on "
                    + "the agents or on the tasks, not both");
        }
        OptionalInt retries = task.wholeNumber("retries", 0, Integer.MAX_VALUE - 1);
        // Nothing runs below a task entry that could retry under its block.
        Optional<WorkflowFileException> unused = RetryReader.unusedBlock(task, retries);
        if (unused.isPresent()) {
            throw unused.get();
        }
        if (own.isPresent()) {
            AgentSpec agent = own.get();
            return RetryReader.read(task, retries, agent.retry().applyTo(workflowRetry),
                    field -> agent.retry().sets(field) ? "from agent " + agent.name() + "'s retry block"
                            : origin(field)).overrides();
        }
        return RetryReader.read(task, retries, workflowRetry, this::origin).overrides();
    }

    /** Where a task's retry setting comes from when neither the task nor its agent sets it. */
    private String origin(String field) {
        return workflowOverrides.sets(field) ? "from the workflow's retry block" : "by default";
    }

    private TaskSource named(Fields task, int priority, Optional<Duration> timeout, RetryOverrides retry)
            throws WorkflowFileException {
        int nameLine = task.require("name").line();
        String name = task.nonEmptyText("name").orElseThrow();
        Integer first = nameLines.putIfAbsent(name, nameLine);
        if (first != null) {
            throw task.error("name", "duplicate task name '" + name + "' (first at line " + first + ")");
        }
        String input = task.text("input").orElse("");
        if (inputInArguments() && input.indexOf('\0') >= 0) {
            throw task.error("input", LineReader.NUL_IN_ARGUMENT + NUL_HINT);
        }
        return new TaskSource.Single(new TaskSpec(name, input, priority, timeout, retry));
    }

    private TaskSource inputs(Fields task, int priority, Optional<Duration> timeout, RetryOverrides retry)
            throws WorkflowFileException {
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
        return new InputLines(file, priority, timeout, retry, inputInArguments());
    }

    private TaskSource glob(Fields task, int priority, Optional<Duration> timeout, RetryOverrides retry)
            throws WorkflowFileException {
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
        return new GlobFiles(pattern, priority, timeout, retry, source.given().toString(),
                task.require("glob").line(), task.pathOf("glob"));
    }

    /**
     * Whether a task's input goes into a program's arguments: the first agent's (in a pipeline; those after it
     * get what it printed) or any agent's (in a fan-out) command has {@code {}}.
     */
    private boolean inputInArguments() {
        List<AgentSpec> receiving = mode == Mode.FANOUT ? agents : agents.subList(0, Math.min(1, agents.size()));
        return receiving.stream().anyMatch(a -> a.command().stream().anyMatch(w -> w.contains("{}")));
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
