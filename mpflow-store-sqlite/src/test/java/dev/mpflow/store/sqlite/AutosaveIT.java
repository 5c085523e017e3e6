package dev.mpflow.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.mpflow.HaltPolicy;
import dev.mpflow.MultiProcessWorkflow;
import dev.mpflow.RetrySettings;
import dev.mpflow.Task;
import dev.mpflow.TaskCancelledException;
import dev.mpflow.TaskError;
import dev.mpflow.TaskResult;
import dev.mpflow.TaskStatus;
import dev.mpflow.testing.NoProcessLeftBehind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Autosave end to end: a workflow with real worker processes writes its run to a real SQLite file. */
@ExtendWith(NoProcessLeftBehind.class)
@Timeout(120)
class AutosaveIT {

    @TempDir
    Path dir;

    @Test
    void everyResultAndAttemptIsInTheStoreOnceTheWorkflowIsClosed() {
        Path file = dir.resolve("store/runs.db");
        List<Task> tasks = List.of(
                Task.of("answer", in -> 42),
                Task.builder("fails").retry(RetrySettings.NONE).function(in -> {
                    throw new IllegalStateException("nope");
                }).build(),
                Task.builder("prints").input("hi").function(in -> {
                    System.out.println("hello from the worker");
                    return in + "!";
                }).build());

        String runId;
        List<TaskResult> results;
        try (MultiProcessWorkflow workflow = MultiProcessWorkflow.builder().name("autosave-it").maxWorkers(2)
                .store(file).build()) {
            assertThat(workflow.autosave()).isTrue();
            assertThat(workflow.store()).contains(file.toAbsolutePath().normalize());
            runId = workflow.runId();
            results = workflow.runAll(tasks).toList();
        }
        Map<String, TaskResult> returned = byTask(results, TaskResult::task);
        assertThat(returned.keySet()).containsExactlyInAnyOrder("answer", "fails", "prints");
        assertThat(returned.get("fails").status()).isEqualTo(TaskStatus.FAILED);
        assertThat(returned.get("answer").value()).isEqualTo(42);
        assertThat(returned.get("prints").value()).isEqualTo("hi!");

        try (SqliteRunHistory history = SqliteRunHistory.open(file)) {
            List<StoredRun> runs = history.runs();
            assertThat(runs).hasSize(1);
            StoredRun run = runs.get(0);
            assertThat(run.runId()).isEqualTo(runId);
            assertThat(run.workflow()).isEqualTo("autosave-it");
            assertThat(run.status()).isEqualTo(StoredRun.Status.FINISHED);
            // Closing the workflow after its tasks finished is no halt.
            assertThat(run.haltReason()).isEmpty();
            assertThat(run.endedAt()).isPresent();
            assertThat(run.maxWorkers()).isEqualTo(2);
            assertThat(run.agents()).isEmpty();
            assertThat(run.succeeded()).isEqualTo(2);
            assertThat(run.failed()).isEqualTo(1);
            assertThat(run.cancelled()).isZero();
            assertThat(run.retried()).isZero();
            assertThat(history.run(runId)).contains(run);

            Map<String, StoredResult> stored = byTask(history.results(runId), StoredResult::task);
            assertThat(stored.keySet()).containsExactlyInAnyOrder("answer", "fails", "prints");
            stored.forEach((task, s) -> {
                TaskResult r = returned.get(task);
                assertThat(s.runId()).isEqualTo(runId);
                assertThat(s.agent()).isEmpty();
                assertThat(s.input()).isEqualTo(r.input());
                assertThat(s.status()).isEqualTo(r.status());
                assertThat(s.attempts()).isEqualTo(1);
                assertThat(s.workerPid()).isEqualTo(r.workerPid()).isPositive()
                        .isNotEqualTo(ProcessHandle.current().pid());
                assertThat(s.startedAt()).isEqualTo(r.startedAt());
                assertThat(s.endedAt()).isEqualTo(r.endedAt());
                assertThat(s.duration()).isEqualTo(Duration.ofMillis(r.duration().toMillis()));
                assertThat(s.stdout()).isEqualTo(r.stdout());
            });

            StoredResult answer = stored.get("answer");
            assertThat(answer.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(answer.valueText()).contains("42");
            assertThat(answer.valueType()).contains(Integer.class.getName());
            assertThat(answer.error()).isEmpty();
            assertThat(answer.input()).isEmpty();
            assertThat(answer.stdout()).isEmpty();

            StoredResult prints = stored.get("prints");
            assertThat(prints.status()).isEqualTo(TaskStatus.SUCCEEDED);
            assertThat(prints.valueText()).contains("hi!");
            assertThat(prints.valueType()).contains(String.class.getName());
            assertThat(prints.input()).isEqualTo("hi");
            assertThat(prints.stdout()).isEqualTo("hello from the worker\n");

            StoredResult fails = stored.get("fails");
            assertThat(fails.status()).isEqualTo(TaskStatus.FAILED);
            assertThat(fails.valueText()).isEmpty();
            assertThat(fails.valueType()).isEmpty();
            TaskError error = fails.error().orElseThrow();
            assertThat(error.type()).isEqualTo(IllegalStateException.class.getName());
            assertThat(error.message()).isEqualTo("nope");
            assertThat(error.remoteStackTrace()).startsWith("java.lang.IllegalStateException: nope")
                    .contains("at " + AutosaveIT.class.getName());
            assertThat(error).isEqualTo(returned.get("fails").error().orElseThrow());

            List<StoredAttempt> attempts = history.attempts(runId);
            assertThat(attempts).extracting(StoredAttempt::task)
                    .containsExactlyInAnyOrder("answer", "fails", "prints");
            assertThat(attempts).allSatisfy(a -> {
                TaskResult r = returned.get(a.task());
                assertThat(a.runId()).isEqualTo(runId);
                assertThat(a.agent()).isEmpty();
                assertThat(a.attempt()).isEqualTo(1);
                assertThat(a.workerPid()).isEqualTo(r.workerPid());
                assertThat(a.status()).isEqualTo(r.status());
                assertThat(a.error()).isEqualTo(r.error());
                // A single attempt: the result spans exactly that attempt.
                assertThat(a.startedAt()).isEqualTo(r.startedAt());
                assertThat(a.endedAt()).isEqualTo(r.endedAt());
            });
        }
    }

    @Test
    void tasksCancelledByAHaltAreStoredAsCancelledAndCountedApart() {
        Path file = dir.resolve("halted.db");
        // One worker takes the tasks in order: the first fails, the halt policy stops the run at once, and the two
        // tasks still queued never start.
        List<Task> tasks = List.of(
                Task.builder("fails").retry(RetrySettings.NONE).function(in -> {
                    throw new IllegalStateException("nope");
                }).build(),
                Task.of("queued-1", in -> "never"),
                Task.of("queued-2", in -> "never"));

        String runId;
        List<TaskResult> results;
        try (MultiProcessWorkflow workflow = MultiProcessWorkflow.builder().name("halt-it").maxWorkers(1)
                .haltPolicy(HaltPolicy.afterFailures(HaltPolicy.When.NOW, 1)).store(file).build()) {
            runId = workflow.runId();
            results = workflow.runAll(tasks).toList();
        }
        Map<String, TaskResult> returned = byTask(results, TaskResult::task);
        assertThat(returned.keySet()).containsExactlyInAnyOrder("fails", "queued-1", "queued-2");
        assertThat(returned.get("fails").status()).isEqualTo(TaskStatus.FAILED);
        assertThat(returned.get("queued-1").status()).isEqualTo(TaskStatus.CANCELLED);
        assertThat(returned.get("queued-2").status()).isEqualTo(TaskStatus.CANCELLED);

        try (SqliteRunHistory history = SqliteRunHistory.open(file)) {
            StoredRun run = history.run(runId).orElseThrow();
            assertThat(run.status()).isEqualTo(StoredRun.Status.HALTED);
            assertThat(run.haltReason()).hasValueSatisfying(reason -> assertThat(reason).contains("halt"));
            assertThat(run.endedAt()).isPresent();
            assertThat(run.succeeded()).isZero();
            assertThat(run.failed()).isEqualTo(1);
            assertThat(run.cancelled()).isEqualTo(2);

            Map<String, StoredResult> stored = byTask(history.results(runId), StoredResult::task);
            assertThat(stored.keySet()).containsExactlyInAnyOrder("fails", "queued-1", "queued-2");
            for (String task : List.of("queued-1", "queued-2")) {
                StoredResult s = stored.get(task);
                TaskResult r = returned.get(task);
                assertThat(s.status()).isEqualTo(TaskStatus.CANCELLED);
                assertThat(s.error()).isEqualTo(r.error());
                assertThat(s.error().orElseThrow().type()).isEqualTo(TaskCancelledException.class.getName());
                assertThat(s.attempts()).isZero();
                assertThat(s.valueText()).isEmpty();
            }
            assertThat(history.attempts(runId)).extracting(StoredAttempt::task).containsExactly("fails");
        }
    }

    @Test
    void defaultStoreIsMpflowRunsDbUnderTheWorkingDirectory() throws IOException {
        assertThat(MultiProcessWorkflow.DEFAULT_STORE).isEqualTo(Path.of(".mpflow", "runs.db"));

        Path expected = MultiProcessWorkflow.DEFAULT_STORE.toAbsolutePath().normalize();
        Path directory = expected.getParent();
        boolean existed = Files.exists(directory);
        try {
            try (MultiProcessWorkflow workflow = new MultiProcessWorkflow(1, true, List.of())) {
                assertThat(workflow.autosave()).isTrue();
                assertThat(workflow.store()).contains(expected);
                assertThat(expected).isAbsolute();
            }
            assertThat(expected).isRegularFile();
        } finally {
            if (!existed) {
                deleteTree(directory);
            }
        }
    }

    @Test
    void withoutAutosaveThereIsNoStore() {
        Path file = dir.resolve("never.db");
        try (MultiProcessWorkflow workflow = MultiProcessWorkflow.builder().maxWorkers(1).autosave(false)
                .store(file).build()) {
            assertThat(workflow.store()).isEqualTo(Optional.empty());
            assertThat(workflow.executeTask(Task.of("unsaved", in -> "ok")).value()).isEqualTo("ok");
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void secretsNeverReachTheFileAndAResumeStillFindsTheTasksThatCarryThemDone() throws Exception {
        String secret = "hunter2SECRET";
        Path file = dir.resolve("runs.db");
        Path ran = dir.resolve("ran.txt");
        Path fixed = dir.resolve("fixed");
        String ranPath = ran.toString();
        String fixedPath = fixed.toString();
        List<Task> tasks = List.of(
                Task.builder("login as " + secret).input(secret).function(in -> {
                    Files.writeString(Path.of(ranPath), "login\n", StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    System.out.println("using " + in);
                    return "session for " + in;
                }).build(),
                Task.builder("check").input(secret).retry(RetrySettings.NONE).function(in -> {
                    if (!Files.exists(Path.of(fixedPath))) {
                        System.err.println("refused " + in);
                        throw new IllegalStateException("token " + in + " refused");
                    }
                    return "accepted";
                }).build());

        String runId;
        try (MultiProcessWorkflow workflow = MultiProcessWorkflow.builder().name("secret-it").maxWorkers(2)
                .store(file).secret(secret).build()) {
            runId = workflow.runId();
            assertThat(workflow.runAll(tasks).map(TaskResult::status).toList())
                    .containsExactly(TaskStatus.SUCCEEDED, TaskStatus.FAILED);
        }
        assertNoFileHolds(secret);
        try (SqliteRunHistory history = SqliteRunHistory.open(file)) {
            assertThat(history.tasks(runId)).extracting(StoredTask::task, StoredTask::input)
                    .containsExactly(tuple("login as ***", "***"), tuple("check", "***"));
            StoredResult check = history.result(runId, "check").orElseThrow();
            assertThat(check.error().orElseThrow().message()).isEqualTo("token *** refused");
            assertThat(check.stderr()).isEqualTo("refused ***\n");
            assertThat(history.attempts(runId)).extracting(StoredAttempt::stdout)
                    .contains("using ***\n");
        }

        // The resumed run knows the tasks by their masked identity: the login is done, the check runs again.
        Files.createFile(fixed);
        try (MultiProcessWorkflow workflow = MultiProcessWorkflow.builder().name("secret-it").maxWorkers(2)
                .store(file).secret(secret).resume(runId).build()) {
            List<TaskResult> results = workflow.runAll(tasks).toList();
            assertThat(results).extracting(TaskResult::fromEarlierRun).containsExactly(true, false);
            assertThat(results.get(0).value()).isEqualTo("session for ***");
            assertThat(results.get(1).value()).isEqualTo("accepted");
        }
        assertThat(Files.readAllLines(ran)).containsExactly("login");
        assertNoFileHolds(secret);
        try (SqliteRunHistory history = SqliteRunHistory.open(file)) {
            StoredRun run = history.run(runId).orElseThrow();
            assertThat(List.of(run.tasks(), run.succeeded(), run.pending())).containsExactly(2L, 2L, 0L);
        }
    }

    /** No file of the store (the database, its WAL and shared memory) holds {@code text}, in UTF-8. */
    private void assertNoFileHolds(String text) throws IOException {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("runs.db")).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                for (int i = 0; i + needle.length <= bytes.length; i++) {
                    if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                        throw new AssertionError(f + " holds the secret at byte " + i);
                    }
                }
            }
        }
    }

    private static <T> Map<String, T> byTask(List<T> items, Function<T, String> task) {
        return items.stream().collect(Collectors.toMap(task, Function.identity()));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
