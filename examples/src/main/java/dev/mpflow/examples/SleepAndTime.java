package dev.mpflow.examples;

import dev.mpflow.Agent;
import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.Task;
import dev.mpflow.TaskError;
import dev.mpflow.TaskResult;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The first example: a task that sleeps for a second and returns the time, handed to two agents that run in
 * worker processes of their own.
 *
 * <p>{@code run} gives the task to every agent in parallel (one result per agent); {@code executeTask} passes it
 * through the agents in turn (one result, from the last agent). Every result is also saved to the store file.
 */
public final class SleepAndTime {
    private SleepAndTime() {
    }

    public static void main(String[] args) {
        // Runs in a worker process: the lambda is serialized and sent there.
        Task task = Task.of("sleep-and-time", input -> {
            Thread.sleep(1000);
            return LocalTime.now().truncatedTo(ChronoUnit.MILLIS);
        });
        List<Agent> agents = List.of(tagger("agent1"), tagger("agent2"));

        try (MultiProcessWorkflow workflow = new MultiProcessWorkflow(3, true, agents)) {
            System.out.println("run: one job per agent, in parallel");
            for (TaskResult result : workflow.run(task)) {
                print(result);
            }
            System.out.println("run id: " + workflow.runId());
            System.out.println("store:  " + workflow.store().orElseThrow());

            System.out.println("executeTask: through agent1, then agent2");
            print(workflow.executeTask(task));
        }
    }

    /** An agent that tags the value it receives with its own name and the pid of its worker process. */
    private static Agent tagger(String name) {
        return Agent.of(name, in -> name + "[pid " + ProcessHandle.current().pid() + "] " + in.value());
    }

    private static void print(TaskResult r) {
        Object shown = r.succeeded() ? r.value() : r.error().map(TaskError::summary).orElse("");
        System.out.printf("  %-7s %-9s %-42s worker pid %-7d %5d ms%n", r.agent().orElse("-"), r.status().label(),
                shown, r.workerPid(), r.duration().toMillis());
    }
}
