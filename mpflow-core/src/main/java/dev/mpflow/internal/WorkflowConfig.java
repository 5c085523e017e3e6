package dev.mpflow.internal;

import dev.mpflow.Agent;
import dev.mpflow.HaltPolicy;
import dev.mpflow.RetrySettings;
import dev.mpflow.Secrets;
import dev.mpflow.event.WorkflowListener;
import dev.mpflow.spi.CompletedTasks;
import dev.mpflow.spi.ResultStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A workflow's settings, validated and frozen by the public builder.
 *
 * @param name the workflow's name in logs and the store
 * @param maxWorkers how many worker processes
 * @param agents the agents, in order
 * @param retry the default retry settings
 * @param timeout the default per-attempt timeout
 * @param store where results are autosaved; empty when autosave is off
 * @param storeLocation a description of the store, for the start-up log line
 * @param listeners user listeners
 * @param javaCommand the workers' java executable
 * @param classPath the workers' class path
 * @param jvmOptions the workers' extra JVM options
 * @param captureLimitBytes per stream and attempt
 * @param maxResultBytes the largest result a worker may send back, in bytes of the value itself
 * @param maxPending how many results {@code runAll} keeps pending at once
 * @param haltPolicy when failures stop the run
 * @param deadline how long the whole run may take, if limited
 * @param shutdownGrace how long running attempts may take to finish on close or interruption
 * @param runId the run's id: a new one, or that of the run this one continues
 * @param resumeRunId the run this one continues, if any
 * @param completed what that run already did
 * @param onlyFailed whether only the tasks that run has a failed result of are run (the others are skipped)
 * @param definitionHash a hash of the workflow's definition, if the caller gives one
 * @param expectedTasks how many jobs the caller is going to submit, if it said
 * @param secrets what must be masked in everything the workflow reports
 */
public record WorkflowConfig(String name, int maxWorkers, List<Agent> agents, RetrySettings retry,
        Optional<Duration> timeout, Optional<ResultStore> store, String storeLocation,
        List<WorkflowListener> listeners, String javaCommand, String classPath, List<String> jvmOptions,
        int captureLimitBytes, long maxResultBytes, int maxPending, HaltPolicy haltPolicy, Optional<Duration> deadline,
        Duration shutdownGrace, String runId, Optional<String> resumeRunId, CompletedTasks completed, boolean onlyFailed,
        Optional<String> definitionHash, OptionalLong expectedTasks, Secrets secrets) {
    public WorkflowConfig {
        agents = List.copyOf(agents);
        listeners = List.copyOf(listeners);
        jvmOptions = List.copyOf(jvmOptions);
    }
}
