package dev.mpflow.event;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Describes a run: one {@link dev.mpflow.MultiProcessWorkflow} from its first task to its close.
 *
 * @param runId unique, sortable by start time
 * @param workflowName the name the workflow was given ({@code workflow} by default)
 * @param startedAt when the run started
 * @param maxWorkers the most worker processes at once
 * @param agents the agents' names, in order
 * @param settings a one-line description of the settings, for logs and the store
 */
public record RunInfo(String runId, String workflowName, Instant startedAt, int maxWorkers, List<String> agents,
        String settings) {
    public RunInfo {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(workflowName, "workflowName");
        Objects.requireNonNull(startedAt, "startedAt");
        agents = List.copyOf(agents);
        Objects.requireNonNull(settings, "settings");
    }
}
