package dev.mpflow.cli.workflow;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the {@code agents} list: a name and a command each, names unique, programs that can be found. */
final class AgentsReader {
    static final List<String> FIELDS = List.of("name", "command");

    private final Fields top;
    private final Programs programs;

    AgentsReader(Fields top, Programs programs) {
        this.top = top;
        this.programs = programs;
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
            agents.add(new AgentSpec(name, command, agent.line()));
        }
        return agents;
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
        return words;
    }
}
