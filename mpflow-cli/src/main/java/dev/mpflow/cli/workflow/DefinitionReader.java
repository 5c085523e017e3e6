package dev.mpflow.cli.workflow;

import dev.mpflow.HaltPolicy;
import dev.mpflow.RetrySettings;
import dev.mpflow.Secrets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Turns the top-level mapping of a workflow file into a {@link WorkflowDefinition}, checking every field. */
final class DefinitionReader {
    static final List<String> FIELDS = List.of("name", "maxWorkers", "autosave", "store", "retries", "retry",
            "timeout", "halt", "deadline", "grace", "captureLimit", "maxResultSize", "mode", "secrets", "agents",
            "tasks");

    private final WorkflowSource source;
    private final Interpolator interpolator;
    private final Programs programs;
    /** The values listed under {@code secrets}, as far as the file was read. */
    private final List<String> listedSecrets = new ArrayList<>();

    DefinitionReader(WorkflowSource source, Interpolator interpolator, Programs programs) {
        this.source = source;
        this.interpolator = interpolator;
        this.programs = programs;
    }

    WorkflowDefinition read(YamlNode.Mapping root) throws WorkflowFileException {
        Fields top = Fields.of(source, interpolator, "", root, "a mapping");
        top.allowOnly(FIELDS);
        // First, so that a problem found in any other field is reported with the secrets masked.
        readSecrets(top);
        String name = top.nonEmptyText("name").orElseGet(() -> WorkflowFileLoader.defaultName(source.absolute()));
        OptionalInt maxWorkers = top.wholeNumber("maxWorkers", 1, Integer.MAX_VALUE);
        Optional<Boolean> autosave = top.bool("autosave");
        var store = top.path("store");
        OptionalInt retries = top.wholeNumber("retries", 0, Integer.MAX_VALUE - 1);
        RetryReader.Read retry = RetryReader.read(top, retries, RetrySettings.DEFAULT, field -> "by default");
        var timeout = top.duration("timeout", false);
        Optional<HaltPolicy> halt = halt(top);
        var deadline = top.duration("deadline", false);
        var grace = top.duration("grace", true);
        OptionalLong captureLimit = top.size("captureLimit", 0, Integer.MAX_VALUE);
        OptionalLong maxResultSize = top.size("maxResultSize", 1, Long.MAX_VALUE);
        Mode mode = mode(top);
        AgentsReader agentsReader = new AgentsReader(top, programs, retry.settings(), retry.overrides(), mode);
        List<AgentSpec> agents = agentsReader.read();
        TasksReader.Read tasks = new TasksReader(source, top, retry.settings(), retry.overrides(), agents, mode)
                .read();
        // An agent's retry block beside its retries: 0 is used only by task entries that retry under it. (The
        // workflow's own is checked by the command line, whose --retries may put it to use.)
        if (!agentsReader.unusedRetry().isEmpty()
                && tasks.retries().stream().noneMatch(t -> t.retry().retries().orElse(0) > 0)) {
            throw agentsReader.unusedRetry().get(0);
        }
        if (agents.isEmpty()) {
            // Tasks from a file carry no function of their own: without an agent there is nothing to run.
            throw top.error("agents", "a workflow file needs at least one agent");
        }
        return WorkflowDefinition.builder(source.absolute(), name)
                .maxWorkers(maxWorkers)
                .autosave(autosave)
                .store(store)
                .retries(retries)
                .retry(retries.isEmpty() && !top.has("retry") ? Optional.empty() : Optional.of(retry.settings()))
                .timeout(timeout)
                .halt(halt)
                .deadline(deadline)
                .grace(grace)
                .captureLimit(captureLimit.isPresent()
                        ? OptionalInt.of((int) captureLimit.getAsLong()) : OptionalInt.empty())
                .maxResultSize(maxResultSize)
                .mode(mode)
                .agents(agents)
                .taskSources(tasks.sources())
                .taskRetries(tasks.retries())
                .secrets(secretsSoFar())
                .lines(lines(top))
                .content(source.contentRead())
                .build();
    }

    /** The line of each top-level field the file sets (of its name). */
    private static Map<String, Integer> lines(Fields top) {
        Map<String, Integer> lines = new HashMap<>();
        for (String field : FIELDS) {
            if (top.has(field)) {
                lines.put(field, top.keyLine(field));
            }
        }
        return lines;
    }

    /**
     * What must be masked of what was read so far: the values listed under {@code secrets}, and every value taken
     * from the environment long enough to be masked ({@value Secrets#MIN_LENGTH} characters); a shorter one would
     * garble every line it occurs in and hides nothing.
     */
    Secrets secretsSoFar() {
        List<String> all = new ArrayList<>(listedSecrets);
        interpolator.environmentValues().stream().filter(v -> v.length() >= Secrets.MIN_LENGTH).forEach(all::add);
        return Secrets.of(all);
    }

    private void readSecrets(Fields top) throws WorkflowFileException {
        List<YamlNode> items = top.list("secrets");
        for (int i = 0; i < items.size(); i++) {
            String path = FieldPaths.element(top.pathOf("secrets"), i);
            String value = top.text(items.get(i), path);
            try {
                Secrets.of(value);
            } catch (IllegalArgumentException e) {
                throw top.errorAt(items.get(i), path, e.getMessage());
            }
            listedSecrets.add(value);
        }
    }

    private static Optional<HaltPolicy> halt(Fields top) throws WorkflowFileException {
        Optional<YamlNode> node = top.node("halt");
        if (node.isEmpty()) {
            return Optional.empty();
        }
        if (!(node.get() instanceof YamlNode.Scalar s) || s.kind() != YamlNode.Kind.STRING) {
            throw top.error("halt", "must be a halt policy such as now,fail=1, soon,fail=10% or never, was "
                    + node.get().describe());
        }
        try {
            return Optional.of(HaltPolicy.parse(s.text()));
        } catch (IllegalArgumentException e) {
            throw top.error("halt", e.getMessage());
        }
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
