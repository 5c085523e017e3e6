package dev.mpflow.event;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Describes a run: one {@link dev.mpflow.MultiProcessWorkflow} from its first task to its close.
 *
 * @param runId unique, sortable by start time
 * @param workflowName the name the workflow was given ({@code workflow} by default)
 * @param startedAt when the run started
 * @param maxWorkers the most worker processes at once
 * @param agents the agents' names, in order
 * @param settings a one-line description of the settings, for logs and the store
 * @param definitionHash a hash of the workflow's definition (say, its file), when the caller gives one, so that a
 *     resume can tell whether the definition changed
 * @param resumed whether this run continues an earlier one with the same id
 */
public record RunInfo(String runId, String workflowName, Instant startedAt, int maxWorkers, List<String> agents,
        String settings, Optional<String> definitionHash, boolean resumed) {
    public RunInfo {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(workflowName, "workflowName");
        Objects.requireNonNull(startedAt, "startedAt");
        agents = List.copyOf(agents);
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(definitionHash, "definitionHash");
    }
}
