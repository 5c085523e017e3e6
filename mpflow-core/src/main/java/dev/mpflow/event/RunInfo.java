package dev.mpflow.event;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

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
 * @param expectedTasks how many jobs (results) this process of the run is going to submit, done-earlier ones
 *     included, when the caller said ({@link dev.mpflow.MultiProcessWorkflow.Builder#expectedTasks}): with the
 *     {@link WorkflowListener#taskSubmitted} events so far, it tells how many tasks were not submitted yet
 */
public record RunInfo(String runId, String workflowName, Instant startedAt, int maxWorkers, List<String> agents,
        String settings, Optional<String> definitionHash, boolean resumed, OptionalLong expectedTasks) {
    public RunInfo {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(workflowName, "workflowName");
        Objects.requireNonNull(startedAt, "startedAt");
        agents = List.copyOf(agents);
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(definitionHash, "definitionHash");
        Objects.requireNonNull(expectedTasks, "expectedTasks");
    }

    /** A run whose caller did not say how many tasks it would submit. */
    public RunInfo(String runId, String workflowName, Instant startedAt, int maxWorkers, List<String> agents,
            String settings, Optional<String> definitionHash, boolean resumed) {
        this(runId, workflowName, startedAt, maxWorkers, agents, settings, definitionHash, resumed,
                OptionalLong.empty());
    }
}
