package dev.mpflow;

import dev.mpflow.event.WorkflowListener;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A coordinator for {@link CoordinatorDeathIT} to kill: starts two workers, each running a command agent that
 * sleeps, prints {@code ready} once both have started, then waits to be killed.
 */
public final class DyingCoordinator {
    private DyingCoordinator() {
    }

    public static void main(String[] args) throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        WorkflowListener listener = new WorkflowListener() {
            @Override
            public void attemptStarted(String runId, String task, int attempt, long workerPid) {
                started.countDown();
            }
        };
        MultiProcessWorkflow workflow = MultiProcessWorkflow.builder().maxWorkers(2).autosave(false)
                .agents(List.of(CommandAgent.of("sleeper", "sleep", "{}"))).listener(listener).build();
        workflow.submit(Task.ofInput("a", "1000"));
        workflow.submit(Task.ofInput("b", "1000"));
        started.await();
        // The sleeps are spawned just after the attempts start: wait until they exist.
        while (ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").endsWith("sleep"))
                .count() < 2) {
            Thread.sleep(10);
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
