package dev.mpflow.cli.workflow;

import dev.mpflow.RetrySettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Reads the {@code agents} list: a name and a command each, names unique, programs that can be found; and the
 * agent's own {@code retries}, {@code retry} block and {@code timeout}, checked against the workflow's settings
 * they apply over.
 */
final class AgentsReader {
    static final List<String> FIELDS = List.of("name", "command", "retries", "retry", "timeout");

    private final Fields top;
    private final Programs programs;
    private final RetrySettings workflowRetry;
    private final RetryOverrides workflowOverrides;
    private final Mode mode;
    /** Agents' retry blocks beside their {@code retries: 0}: errors unless a task entry retries under them. */
    private final List<WorkflowFileException> unusedRetry = new ArrayList<>();

    /**
     * @param workflowRetry     the workflow's retry settings from the file (the defaults where it sets none)
     * @param workflowOverrides what the file's top level sets, to say where a setting comes from in messages
     */
    AgentsReader(Fields top, Programs programs, RetrySettings workflowRetry, RetryOverrides workflowOverrides,
            Mode mode) {
        this.top = top;
        this.mode = mode;
        this.programs = programs;
        this.workflowRetry = workflowRetry;
        this.workflowOverrides = workflowOverrides;
    }

    List<AgentSpec> read() throws WorkflowFileException {
        List<YamlNode> items = top.list("agents");
        List<AgentSpec> agents = new ArrayList<>(items.size());
        Map<String, Integer> firstLines = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            Fields agent = top.element("agents", i, items.get(i), "a mapping with name and command");
            agent.allowOnly(FIELDS);
            int nameLine = agent.require("name").line();
            String name = agent.nonEmptyText("name").orElseThrow();
            Integer first = firstLines.putIfAbsent(name, nameLine);
            if (first != null) {
                throw agent.error("name", "duplicate agent name '" + name + "' (first at line " + first + ")");
            }
            List<String> command = command(agent);
            Optional<String> problem = programs.problem(command.get(0));
            if (problem.isPresent()) {
                throw agent.error("command", problem.get());
            }
            if (mode == Mode.PIPELINE && items.size() > 1) {
                for (String own : List.of("retries", "retry", "timeout")) {
                    if (agent.has(own)) {
                        // A pipeline runs all its agents as one job, under the workflow's settings alone.
                        throw agent.error(own, "an agent's own retries, retry and timeout apply in mode: fanout "
                                + "or to a single agent; a pipeline of agents runs as one job under the "
                                + "workflow's settings");
                    }
                }
            }
            OptionalInt retries = agent.wholeNumber("retries", 0, Integer.MAX_VALUE - 1);
            RetryOverrides retry = RetryReader.read(agent, retries, workflowRetry, this::origin).overrides();
            RetryReader.unusedBlock(agent, retries).ifPresent(unusedRetry::add);
            Optional<Duration> timeout = agent.duration("timeout", false);
            agents.add(new AgentSpec(name, command, agent.line(), retry, timeout));
        }
        return agents;
    }

    /** The retry blocks that agents set beside {@code retries: 0}, as errors at their lines; after {@link #read}. */
    List<WorkflowFileException> unusedRetry() {
        return unusedRetry;
    }

    /** Where an agent's retry setting comes from when the agent leaves it out. */
    private String origin(String field) {
        return workflowOverrides.sets(field) ? "from the workflow's retry block" : "by default";
    }

    /** The command's words: a command line split like a shell would, or a list taken word for word. */
    private static List<String> command(Fields agent) throws WorkflowFileException {
        YamlNode node = agent.require("command");
        List<String> words = new ArrayList<>();
        if (node instanceof YamlNode.Sequence list) {
            for (int j = 0; j < list.items().size(); j++) {
                words.add(agent.text(list.items().get(j), FieldPaths.element(agent.pathOf("command"), j)));
            }
        } else if (node instanceof YamlNode.Scalar s && !s.isNull()) {
            List<String> split;
            try {
                split = ShellWords.split(s.text());
            } catch (IllegalArgumentException e) {
                throw agent.error("command", e.getMessage());
            }
            for (String word : split) {
                words.add(s.kind() == YamlNode.Kind.STRING ? agent.expand("command", word) : word);
            }
        } else {
            throw agent.error("command", "must be a command line or a list of words, was " + node.describe());
        }
        if (words.isEmpty() || words.get(0).isBlank()) {
            throw agent.error("command", "must name a program");
        }
        if (words.stream().anyMatch(w -> w.indexOf('\0') >= 0)) {
            throw agent.error("command", LineReader.NUL_IN_ARGUMENT);
        }
        return words;
    }
}
