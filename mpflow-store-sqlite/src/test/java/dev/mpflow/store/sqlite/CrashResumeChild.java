package dev.mpflow.store.sqlite;

import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.Task;
import dev.mpflow.TaskResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The coordinator that {@link CrashResumeIT} kills: runs {@value #TASKS} tasks on 2 workers, autosaved to a store,
 * resuming a run when given its id. Each task appends its name to a side file, so that the test can count how
 * often each one ran, and returns {@link #value(int)}.
 *
 * <p>Arguments: the store, the side file, a marker option that the workers get too (so the test can find every
 * process of this run), and optionally the id of the run to resume. Prints {@code run ID} when the workflow is built
 * and {@code done N} (N the results that did not succeed) after the last result.
 */
public final class CrashResumeChild {
    static final int TASKS = 1_000;
    /** How long a task works: long enough that the kills land mid-run. */
    static final long TASK_MILLIS = 20;

    private CrashResumeChild() {
    }

    static String name(int i) {
        return "task-" + i;
    }

    /** What task {@code i} returns. */
    static String value(int i) {
        return "value-" + (i * 31L + 7);
    }

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        String sideFile = args[1];
        String marker = args[2];
        MultiProcessWorkflow.Builder builder = MultiProcessWorkflow.builder().name("crash-resume").maxWorkers(2)
                .store(store).workerJvmOptions(List.of(marker));
        if (args.length > 3) {
            builder.resume(args[3]);
        }
        List<Task> tasks = IntStream.range(0, TASKS).mapToObj(i -> Task.builder(name(i)).input(Integer.toString(i))
                .function(in -> {
                    int n = Integer.parseInt(in);
                    // One write of one short line: appends of two workers never interleave within a line.
                    Files.writeString(Path.of(sideFile), name(n) + "\n", StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    Thread.sleep(TASK_MILLIS);
                    return value(n);
                }).build()).toList();
        try (MultiProcessWorkflow workflow = builder.build()) {
            System.out.println("run " + workflow.runId());
            System.out.flush();
            long notSucceeded = workflow.runAll(tasks).filter(r -> !r.succeeded()).map(TaskResult::task).count();
            System.out.println("done " + notSucceeded);
            System.out.flush();
        }
    }
}
