package dev.mpflow.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mpflow.HaltPolicy;
import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.RetrySettings;
import dev.mpflow.Task;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A halt policy with a share ({@code fail=10%}) is judged at every final result, successes too, and a run whose
 * total is known is judged against it: early failures halt the run once enough results are in, and a run smaller
 * than the minimum of results halts too. One worker, so that results come in task order.
 */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HaltShareIT {
    private static final String REASON = "the run halted after %d failed task%s (halt policy %s)";

    private static MultiProcessWorkflow workflow(String halt) {
        return MultiProcessWorkflow.builder().maxWorkers(1).autosave(false)
                .retry(RetrySettings.builder().maxAttempts(1).build()).haltPolicy(HaltPolicy.parse(halt)).build();
    }

    /** Tasks t1..tN; t3 and t4 fail. */
    private static List<Task> tasks(int n) {
        List<Task> tasks = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            tasks.add(Task.of("t" + i, i == 3 || i == 4 ? FaultyTasks.alwaysFail("bad " + i)
                    : FaultyTasks.succeed("ok " + i)));
        }
        return tasks;
    }

    private static List<TaskStatus> statuses(List<TaskResult> results) {
        return results.stream().map(TaskResult::status).toList();
    }

    private static List<TaskStatus> expected(int cancelledFrom, int n) {
        List<TaskStatus> s = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            s.add(i >= cancelledFrom ? TaskStatus.CANCELLED
                    : i == 3 || i == 4 ? TaskStatus.FAILED : TaskStatus.SUCCEEDED);
        }
        return s;
    }

    @Test
    void earlyFailuresHaltTheRunAtTheTenthResultAlthoughItIsASuccess() {
        try (MultiProcessWorkflow wf = workflow("now,fail=10%")) {
            List<TaskResult> results = wf.runAll(tasks(30)).toList();

            // 2 of 30 is less than 10% of all the tasks; 2 of the first 10 results is 20%.
            assertThat(statuses(results)).isEqualTo(expected(11, 30));
            assertThat(wf.haltReason()).contains(String.format(REASON, 2, "s", "now,fail=10%"));
            assertThat(results.get(10).error().orElseThrow().message())
                    .isEqualTo(String.format(REASON, 2, "s", "now,fail=10%"));
        }
    }

    @Test
    void aRunOfFewerTasksThanTheMinimumHaltsOnceTheShareOfAllItsTasksHasFailed() {
        try (MultiProcessWorkflow wf = workflow("now,fail=10%")) {
            List<TaskResult> results = wf.runAll(tasks(10)).toList();

            // 10% of 10 tasks is 1: the first failure halts the run.
            assertThat(statuses(results)).isEqualTo(expected(4, 10));
            assertThat(wf.haltReason()).contains(String.format(REASON, 1, "", "now,fail=10%"));
        }
        try (MultiProcessWorkflow wf = workflow("soon,fail=50%")) {
            // 50% of 5 tasks is 2.5: two failures are not enough, so nothing halts.
            List<TaskResult> results = wf.runAll(tasks(5)).toList();

            assertThat(statuses(results)).isEqualTo(expected(6, 5));
            assertThat(wf.haltReason()).isEmpty();
        }
    }

    @Test
    void tasksGivenOneByOneHaveNoKnownTotalAndAreJudgedFromTheTenthResultOn() {
        try (MultiProcessWorkflow wf = workflow("soon,fail=10%")) {
            List<TaskResult> results = new ArrayList<>();
            for (Task task : tasks(12)) {
                results.add(wf.executeTask(task));
            }

            // Judged against the results so far, never against the one or two tasks given yet.
            assertThat(statuses(results)).isEqualTo(expected(11, 12));
            assertThat(wf.haltReason()).contains(String.format(REASON, 2, "s", "soon,fail=10%"));
        }
    }

    @Test
    void tasksGivenOneByOneAreJudgedAgainstTheirNumberOnceTheCallerSaysThereAreNoMore() {
        try (MultiProcessWorkflow wf = workflow("now,fail=10%")) {
            List<CompletableFuture<TaskResult>> futures = new ArrayList<>();
            for (Task task : tasks(10)) {
                futures.add(wf.submit(task));
            }
            wf.noMoreTasks();
            List<TaskResult> results = futures.stream().map(CompletableFuture::join).toList();

            assertThat(statuses(results)).isEqualTo(expected(4, 10));
            assertThat(wf.haltReason()).contains(String.format(REASON, 1, "", "now,fail=10%"));
        }
    }

    @Test
    void aShareOfFailuresThatIsNeverReachedDoesNotHalt() {
        try (MultiProcessWorkflow wf = workflow("now,fail=30%")) {
            List<TaskResult> results = wf.runAll(Collections.unmodifiableList(tasks(12))).toList();

            assertThat(statuses(results)).isEqualTo(expected(13, 12));
            assertThat(wf.haltReason()).isEmpty();
        }
    }
}
