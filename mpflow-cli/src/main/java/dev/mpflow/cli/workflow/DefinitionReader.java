package dev.mpflow.cli.workflow;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/** Turns the top-level mapping of a workflow file into a {@link WorkflowDefinition}, checking every field. */
final class DefinitionReader {
    static final List<String> FIELDS = List.of("name", "maxWorkers", "autosave", "store", "retries", "retry",
            "timeout", "mode", "agents", "tasks");

    private final WorkflowSource source;
    private final Interpolator interpolator;
    private final Programs programs;

    DefinitionReader(WorkflowSource source, Interpolator interpolator, Programs programs) {
        this.source = source;
        this.interpolator = interpolator;
        this.programs = programs;
    }

    WorkflowDefinition read(YamlNode.Mapping root) throws WorkflowFileException {
        Fields top = Fields.of(source, interpolator, "", root, "a mapping");
        top.allowOnly(FIELDS);
        String name = top.nonEmptyText("name").orElseGet(() -> WorkflowFileLoader.defaultName(source.absolute()));
        OptionalInt maxWorkers = top.wholeNumber("maxWorkers", 1, Integer.MAX_VALUE);
        Optional<Boolean> autosave = top.bool("autosave");
        var store = top.path("store");
        OptionalInt retries = top.wholeNumber("retries", 0, Integer.MAX_VALUE - 1);
        var retry = RetryReader.read(top, retries);
        var timeout = top.duration("timeout", false);
        Mode mode = mode(top);
        List<AgentSpec> agents = new AgentsReader(top, programs).read();
        List<TaskSource> tasks = new TasksReader(source, top).read();
        return WorkflowDefinition.builder(source.absolute(), name)
                .maxWorkers(maxWorkers)
                .autosave(autosave)
                .store(store)
                .retries(retries)
                .retry(retry)
                .timeout(timeout)
                .mode(mode)
                .agents(agents)
                .taskSources(tasks)
                .build();
    }

    private static Mode mode(Fields top) throws WorkflowFileException {
        Optional<YamlNode> node = top.node("mode");
        if (node.isEmpty()) {
            return Mode.PIPELINE;
        }
        if (node.get() instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.STRING) {
            switch (s.text().strip().toLowerCase(Locale.ROOT)) {
                case "pipeline":
                    return Mode.PIPELINE;
                case "fanout":
                    return Mode.FANOUT;
                default:
                    break;
            }
        }
        throw top.error("mode", "must be pipeline or fanout, was " + node.get().describe());
    }
}
